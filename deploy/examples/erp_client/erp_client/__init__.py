"""Example ERP client for Konnect: evaluates submitted requests by a simple rule (copy and adapt it)."""
