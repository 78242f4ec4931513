"""Notifications domain rules (pure, no I/O)."""
