"""Use cases: each owns its database transaction."""
