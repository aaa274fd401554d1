"""Offices: the tree (national, provinces, regencies, districts, mobile units), its official
Kemendagri codes, and each office's settings. The bottom of the domain: every other
capability keys its rows on an office and scopes its users by an office's path."""
