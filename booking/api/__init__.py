"""JSON API controllers (msgspec schemas), documented at /schema/openapi.json."""
