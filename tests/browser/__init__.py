"""Helpers for tests that open the HTML report in a real browser (headless Chromium)."""
