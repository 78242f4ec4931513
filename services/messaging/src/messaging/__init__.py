"""Messaging service: conversations and append-only messages between staff and parents."""
