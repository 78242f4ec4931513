"""Konnect event contracts."""
