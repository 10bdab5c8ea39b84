"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

The browser fixtures (`chromium_browser`, `phone`, `desktop`) live in tests/conftest.py so
that every folder shares the one Playwright instance a session may hold."""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
