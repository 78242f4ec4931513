"""The push channel: Firebase Cloud Messaging."""
