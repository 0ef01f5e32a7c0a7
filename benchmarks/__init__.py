"""Benchmarks of the product against this machine's limits."""
