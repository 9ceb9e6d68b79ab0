"""Staff authentication (argon2 passwords, session cookies) and authorisation (roles, scopes)."""
