"""`make bench`: prints against their floor on the national tree (wrk as the client), the
alerts cron under load, and every read of an office at 1k and 1M movements.

Runs on SQLite and, when reachable, on PostgreSQL; prints every figure with its target and
verdict (pass/FAIL) but exits 0 unless something crashed. See `python bench/run.py --help`.
"""

import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The app refuses the development key; the bench's servers and CLI runs inherit this one.
os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))

from bench.main import main

if __name__ == "__main__":
    sys.exit(main())
