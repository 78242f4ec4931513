"""Credits domain rules (pure, no I/O)."""
