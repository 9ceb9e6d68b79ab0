"""Server-rendered pages for residents and staff."""
