"""Messaging HTTP routes (internal: reached through the gateway only)."""
