"""Notifications service: e-mail, push and in-app delivery with per-account preferences."""
