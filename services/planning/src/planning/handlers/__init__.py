"""Planning Kafka handlers: thin, decode → domain → commit."""
