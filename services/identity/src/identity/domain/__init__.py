"""Identity domain rules (pure, no I/O)."""
