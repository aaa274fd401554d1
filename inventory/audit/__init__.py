"""The audit log: every change an admin makes to offices, users and tokens, with who made it,
when, and what changed (before and after), written in the same transaction as the change.

Append-only: rows are inserted here and never updated or deleted. It sits just above the
core so that the packages whose changes it records (offices, auth) can write to it; reading
it (GET /audit) is served by auth, which knows who may.
"""
