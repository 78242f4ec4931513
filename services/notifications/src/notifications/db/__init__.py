"""Notifications persistence: tables and migrations."""
