"""Sending queued e-mail over SMTP."""
