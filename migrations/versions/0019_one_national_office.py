"""one_national_office: the office tree has one root; the database refuses a second national office

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    codes = bind.execute(sa.text("SELECT code FROM offices WHERE kind = 'national' ORDER BY id")).scalars().all()
    if len(codes) > 1:
        # Not merged here: which one is the root, and where the other's offices and stock go,
        # is an admin's decision. Said plainly instead of a bare unique-index error.
        raise RuntimeError(
            f"This database has {len(codes)} national offices ({', '.join(codes)}); Blangko keeps one"
            " root. Decide which one it is, remove the other, and run the upgrade again."
        )
    op.create_index(
        "uq_offices_one_national",
        "offices",
        ["kind"],
        unique=True,
        sqlite_where=sa.text("kind = 'national'"),
        postgresql_where=sa.text("kind = 'national'"),
    )


def downgrade():
    op.drop_index("uq_offices_one_national", table_name="offices")
