"""Identity Kafka handlers (none yet: master data arrives through the API)."""
