"""Credits Kafka handlers: thin, decode → domain → commit."""
