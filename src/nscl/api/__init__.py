"""The public read-only JSON API (/api/v1/…) with its OpenAPI schema; errors are RFC 7807 problem documents."""
