"""Stock: the only writer of stock. The ledger and its balances, transfers between offices,
the subtree rollups and daily usage that move with them, the PostgreSQL print statement,
and the check that the books balance (verify)."""
