"""Credits use cases inside one unit of work: grants, reservations, consumption, releases, reads."""
