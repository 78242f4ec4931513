"""Identity service: the directory (organisations, locations, groups, people) and accounts."""
