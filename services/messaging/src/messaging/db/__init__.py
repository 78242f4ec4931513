"""Messaging persistence: tables and migrations."""
