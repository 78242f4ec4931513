"""Gateway: the one public HTTP API; authenticates, limits and forwards to the domain services."""
