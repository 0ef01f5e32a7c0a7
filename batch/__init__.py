"""Tagging article collections too large for one process, on an existing engine (Ray Data)."""
