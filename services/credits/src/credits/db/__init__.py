"""Credits persistence: tables and migrations."""
