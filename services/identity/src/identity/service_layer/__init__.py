"""Identity use cases that combine rules, tables and events inside one unit of work."""
