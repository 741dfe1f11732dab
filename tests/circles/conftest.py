"""The browser fixtures, for this app's browser tests (tests/circles/test_browser.py)."""

from ..browser.conftest import browser, new_page  # noqa: F401 - fixtures
