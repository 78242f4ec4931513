"""Notifications Kafka handlers: thin, decode → domain → commit."""
