"""Planning domain rules (pure, no I/O)."""
