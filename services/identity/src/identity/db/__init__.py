"""Identity persistence: tables and migrations."""
