"""Timeline Kafka handlers: thin, decode → domain → commit."""
