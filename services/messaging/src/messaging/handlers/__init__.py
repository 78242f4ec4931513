"""Messaging Kafka handlers: thin, decode → domain → commit."""
