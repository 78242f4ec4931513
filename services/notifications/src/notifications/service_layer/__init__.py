"""Use cases of the notifications service: what routes and handlers call; SQL stays in notifications.db."""
