"""Planning persistence: tables and migrations."""
