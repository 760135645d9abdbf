"""Headless Chromium through selenium: Debian's ``chromium`` and ``chromedriver``.

Used by the report's browser test and its benchmark. Paths can be overridden with
CONFORMANCE_CHROMIUM and CONFORMANCE_CHROMEDRIVER (e.g. on a machine with Google Chrome).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = os.environ.get("CONFORMANCE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CONFORMANCE_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
# No sandbox: CI containers run as root. The rest keeps a test run from touching the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def missing() -> str | None:
    """Why a browser cannot be started here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not Path(path).is_file():
            return f"{name} not found at {path} (apt-get install -y chromium chromium-driver)"
    return None


def start(width: int = 1400, height: int = 1000):
    """A headless Chromium driven by selenium, with a fresh profile and browser console logs kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # On a loaded machine Chromium can miss chromedriver's start-up deadline ("DevToolsActivePort
    # file doesn't exist"): that is the browser starting slowly, not the page under test, so one
    # more start with a fresh profile is tried before the error stands.
    for attempt in range(2):
        profile = tempfile.mkdtemp(prefix="conformance-chromium-")
        try:
            driver = webdriver.Chrome(
                service=Service(CHROMEDRIVER), options=_with_profile(options, profile)
            )
        except Exception as err:
            shutil.rmtree(profile, ignore_errors=True)
            if attempt == 1 or "DevToolsActivePort" not in str(err):
                raise
            continue
        driver.conformance_profile = profile
        return driver
    raise AssertionError("unreachable")  # the loop returns or raises


def _with_profile(options, profile: str):
    """The options with ``--user-data-dir`` set to ``profile`` (a retry replaces the last one)."""
    options.arguments[:] = [a for a in options.arguments if not a.startswith("--user-data-dir=")]
    options.add_argument(f"--user-data-dir={profile}")
    return options


def module_driver():
    """A browser for one test module, as a pytest fixture body: skipped without Chromium, a
    failure under CI (the CI environment variable set), where the browser tests never skip."""
    import pytest

    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test cannot run under CI: {reason}")
        pytest.skip(reason)
    browser = start()
    yield browser
    stop(browser)


def stop(driver) -> None:
    """Quit the browser and remove its profile folder."""
    try:
        driver.quit()
    finally:
        shutil.rmtree(driver.conformance_profile, ignore_errors=True)


def console_errors(driver) -> list[str]:
    """Browser console entries at error level since the last call (CSP violations included)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
