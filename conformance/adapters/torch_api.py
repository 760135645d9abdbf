"""Placeholder until the adapters land (being written)."""
ADAPTERS = []
