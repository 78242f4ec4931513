"""Credits service: child-bound credit ledger, reservations, consumption, releases."""
