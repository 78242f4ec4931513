"""Messaging domain rules (pure, no I/O)."""
