"""Timeline domain rules (pure, no I/O)."""
