"""Konnect service kit: the infrastructure every service shares, and no domain code."""
