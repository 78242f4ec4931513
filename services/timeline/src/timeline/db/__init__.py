"""Timeline persistence: tables and migrations."""
