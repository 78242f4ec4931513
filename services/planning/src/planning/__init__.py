"""Planning service: care types, schedules, availability, requests, evaluation and expiry."""
