"""Planning use cases inside one unit of work (the caller's AsyncSession)."""
