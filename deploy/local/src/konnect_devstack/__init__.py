"""Konnect on one machine: infrastructure processes, topics, services and demo data."""
