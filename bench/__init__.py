"""Benchmark of the print hot path and the ledger reads: `make bench` (entry point: bench/run.py)."""
