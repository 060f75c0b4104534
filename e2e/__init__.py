"""End-to-end checks through Home Assistant's real frontend (run by scripts/e2e)."""
