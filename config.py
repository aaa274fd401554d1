"""Settings, read from the environment so the same code runs in dev, tests and production."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# Signs dashboard sessions and derives the webhook-secret key. Anyone who knows it can forge a
# session, so the app refuses to start with it unless FLASK_DEBUG is on (inventory/__init__.py).
DEVELOPMENT_SECRET_KEY = "dev-only-change-me"


def secret_key(environ: os._Environ | dict = os.environ) -> str:
    """SECRET_KEY, else the contents of the file SECRET_KEY_FILE names (`make run` keeps a
    random one in instance/secret-key), else the development key."""
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"]
    path = environ.get("SECRET_KEY_FILE")
    if path and Path(path).is_file():
        return Path(path).read_text().strip() or DEVELOPMENT_SECRET_KEY
    return DEVELOPMENT_SECRET_KEY


class Config:
    # SQLite file in instance/ by default so `make run` needs nothing installed.
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'blangko.sqlite3'}"
    )
    SECRET_KEY = secret_key()
    DEVELOPMENT_SECRET_KEY = DEVELOPMENT_SECRET_KEY
    # Seconds a SQLite writer waits for the lock before giving up.
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "30"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A read replica for the read-heavy reports (inventory/core/db.py `reader`); unset: the primary.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL") or None
    # Told to clients (Retry-After) when the database does not answer: 503 database_unavailable.
    DATABASE_RETRY_AFTER_SECONDS = int(os.environ.get("DATABASE_RETRY_AFTER_SECONDS", "5"))
    # PostgreSQL: seconds to wait for a new connection to a server that does not answer (libpq; min. 2).
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "10"))
    SQLALCHEMY_SESSION_OPTIONS = {"expire_on_commit": False}

    API_TITLE = "Blangko"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Served from the app itself: office networks are often offline.
    OPENAPI_SWAGGER_UI_URL = os.environ.get("SWAGGER_UI_URL", "")
    OPENAPI_REDOC_PATH = None
    # Every /api/v1 route needs a bearer token; /healthz and /readyz are outside the spec.
    API_SPEC_OPTIONS = {
        "security": [{"bearerAuth": []}],
        "info": {"description": "Inventory of blank E-KTP cards: ledger, transfers, prints."},
    }

    # The largest request body (413 beyond): a batch of 1,000 offline prints is ~150 kB. Form
    # fields of the dashboard are short; a larger one is refused rather than echoed back.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(4 * 1024 * 1024)))
    MAX_FORM_MEMORY_SIZE = 64 * 1024

    # The signed scan of a destruction record (PDF or photo): larger is 413. Below MAX_CONTENT_LENGTH.
    DESTRUCTION_SCAN_MAX_BYTES = int(os.environ.get("DESTRUCTION_SCAN_MAX_BYTES", str(3 * 1024 * 1024)))

    LEDGER_PAGE_MAX = 500
    # Days of print history behind usage rates (spoilage, replacements, daily use).
    USAGE_WINDOW_DAYS = int(os.environ.get("USAGE_WINDOW_DAYS", "30"))
    # Prints a window needs before its spoilage and replacement rates are used; with fewer, the
    # rates come from the nearest office above that has them, else the defaults.
    RATE_MIN_PRINTS = int(os.environ.get("RATE_MIN_PRINTS", "50"))
    BATCH_MAX_ITEMS = 1000
    # A print's printed_at may be at most this many days back, and this many minutes ahead of
    # the server's clock (inventory/stock/print_time.py).
    PRINT_BACKDATE_DAYS = int(os.environ.get("PRINT_BACKDATE_DAYS", "31"))
    PRINT_CLOCK_SKEW_MINUTES = int(os.environ.get("PRINT_CLOCK_SKEW_MINUTES", "5"))
    # Ancestors' figures (inventory/stock/settlement.py): each process settles what its answers
    # queued at most this often, in a thread of its own, so under load one batch covers many
    # prints; 0 settles right after each answer, in the thread that sent it, which waits its
    # turn while another settles: for tests and quiet single-process use, not for a server
    # under load (a probe saw 20-40 prints/s there, 400 at 0.3-1 s). Each batch costs about
    # what a few prints cost (it re-evaluates the ancestors' alerts), so with 0.2 s and four
    # workers the settlers took a fifth of the server's CPU under load; at 1 s an ancestor
    # follows within about a second and a quarter (bench/RESULTS.md).
    SETTLE_INTERVAL_SECONDS = float(os.environ.get("SETTLE_INTERVAL_SECONDS", "1.0"))
    # How much earlier than one recorded before it a movement's recorded_at may be: a print
    # takes its time before waiting for the balance lock, and hosts' clocks differ a little.
    # The stock card's event-order balances read this far around each row (stock/event_order.py).
    LEDGER_RECORDING_MARGIN_SECONDS = int(os.environ.get("LEDGER_RECORDING_MARGIN_SECONDS", "300"))

    # Alert notifications (inventory/delivery.py). A failed delivery is retried after
    # NOTIFY_BACKOFF_SECONDS * 2**(attempts-1), and marked failed after NOTIFY_MAX_ATTEMPTS.
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
    NOTIFY_BACKOFF_SECONDS = float(os.environ.get("NOTIFY_BACKOFF_SECONDS", "30"))
    NOTIFY_TIMEOUT_SECONDS = float(os.environ.get("NOTIFY_TIMEOUT_SECONDS", "10"))
    # A claimed notification is hidden from other deliverers this long; if its deliverer dies
    # mid-send, it is retried after that. Keep it well above NOTIFY_TIMEOUT_SECONDS.
    NOTIFY_LEASE_SECONDS = float(os.environ.get("NOTIFY_LEASE_SECONDS", "300"))
    NOTIFY_POLL_SECONDS = float(os.environ.get("NOTIFY_POLL_SECONDS", "5"))
    # Webhooks are never sent to these networks: the server's own services (loopback), cloud
    # metadata (link-local, and the clouds' endpoints outside it: Alibaba 100.100.100.200, AWS
    # fd00:ec2::/32 (IMDS, DNS), Google fd20:ce::254, Azure's WireServer 168.63.129.16, Oracle
    # Cloud Classic 192.0.0.192), unspecified, broadcast and multicast. Office LANs (10/8,
    # 192.168/16, ...) stay allowed: that is where an office's own receiver usually lives.
    WEBHOOK_BLOCKED_NETWORKS = os.environ.get(
        "WEBHOOK_BLOCKED_NETWORKS",
        "127.0.0.0/8,::1/128,169.254.0.0/16,fe80::/10,0.0.0.0/8,::/128,224.0.0.0/4,ff00::/8,"
        "255.255.255.255/32,100.100.100.200/32,fd00:ec2::/32,fd20:ce::254/128,168.63.129.16/32,"
        "192.0.0.192/32",
    )
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "false").lower() in ("1", "true", "yes")  # STARTTLS
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "blangko@localhost")

    # Dashboard (inventory/web): session cookie, CSRF, language and the recording target.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "false").lower() in ("1", "true", "yes")
    # A dashboard session ends after this long without a request (auth/sessions.py); its last
    # activity is written at most once per SESSION_TOUCH_SECONDS.
    SESSION_IDLE_MINUTES = float(os.environ.get("SESSION_IDLE_MINUTES", str(8 * 60)))
    SESSION_TOUCH_SECONDS = 60
    # Failed dashboard log-ins allowed per user name and per address before a short lock
    # (inventory/web/throttle.py); the counts live in RATELIMIT_STORAGE_URI (memory:// is per
    # process: with several workers use redis:// or memcached:// for one count).
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 10 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 10 minutes")
    # If that store is unreachable, failures are counted in memory meanwhile: log-ins neither
    # fail nor go unlimited.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # How many reverse proxies (nginx) stand in front and set X-Forwarded-For/-Proto: 0 when
    # clients connect directly. Without it every client has the proxy's address.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a working day: a form left open since the morning still posts
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("BABEL_DEFAULT_TIMEZONE", "Asia/Jakarta")
    RECORDING_TARGET_PERCENT = 99  # the national target: 99 % of residents recorded
    # The public stock board (/papan, inventory/web/board.py): answers are kept this many
    # seconds (and browsers and proxies may keep them as long); each address may ask this
    # often (counted in RATELIMIT_STORAGE_URI); fewer days of cover than this reads "limited".
    PUBLIC_BOARD_CACHE_SECONDS = int(os.environ.get("PUBLIC_BOARD_CACHE_SECONDS", "60"))
    PUBLIC_BOARD_LIMIT = os.environ.get("PUBLIC_BOARD_LIMIT", "120 per minute")
    PUBLIC_LIMITED_COVER_DAYS = 7


class TestConfig(Config):
    TESTING = True
    # Settled before the test's next request (tests/conftest.py closes every response, as a
    # server does); tests/stock/test_settlement.py runs the settler thread too.
    SETTLE_INTERVAL_SECONDS = 0.0
    SECRET_KEY = "tests-only-not-a-secret"  # not the development key: a test's subprocess uses it too
    # The tests' webhook receivers listen on loopback; tests of the block set it themselves.
    WEBHOOK_BLOCKED_NETWORKS = ""
    # Each test reads the board it just changed; tests/web/test_board.py tests the cache itself.
    PUBLIC_BOARD_CACHE_SECONDS = 0
