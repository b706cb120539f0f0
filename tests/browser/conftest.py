"""Browser tests: the real app on a live server, driven by Debian's Chromium through Playwright.

- Chromium: $CHROMIUM_PATH, else Debian's binaries, else `chromium` on the PATH. When none is
  found these tests skip, or fail when REQUIRE_BROWSER=1 (CI sets it).
- The server runs the session's `app` in a thread, so a test and the browser share one
  database: the test creates rows with tests/factories.py and checks what the browser's
  requests committed. The autouse `db` fixture of tests/conftest.py empties it after each test.
- CSRF protection is on, as in production.
- Every test in this folder gets the `browser` marker and a fresh browser context (English
  unless a test asks otherwise).
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.factories import PASSWORD

HERE = Path(__file__).resolve().parent
CATALOGS = Path(__file__).resolve().parents[2] / "tracker" / "translations"

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
NO_CHROMIUM = ("no Chromium found; install Debian's chromium or set CHROMIUM_PATH "
               "(REQUIRE_BROWSER=1 makes this a failure)")
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Fail fast: a missing element should not hold the suite for Playwright's default 30 s.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `browser` (the hook sees the whole session's items)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def find_chromium() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        # An explicit path that does not exist is a mistake to report, not a reason to pick another.
        return configured if os.access(configured, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> str:
    """Session-scoped and autouse, so it decides before anything launches a browser."""
    path = find_chromium()
    if path is None:
        where = f" (CHROMIUM_PATH={os.environ['CHROMIUM_PATH']} is not an executable)" \
            if os.environ.get("CHROMIUM_PATH") else ""
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no Chromium found{where}; install Debian's chromium "
                        "(apt-get install -y chromium) or set CHROMIUM_PATH", pytrace=False)
        pytest.skip(NO_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    return {**browser_type_launch_args, "executable_path": chromium_path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app on a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server, "locale": "en-US"}


@pytest.fixture(autouse=True)
def _csrf_on(csrf):
    """Browser tests post real forms with real tokens."""


@pytest.fixture
def page(context) -> Page:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


# --- helpers ---------------------------------------------------------------------------

def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Through the login form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()


def switch_language(page: Page, language: str, code: str) -> None:
    """The footer's language switch; waits for the page to come back in that language."""
    page.get_by_role("contentinfo").get_by_role("button", name=language, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def require_compiled_catalog(locale: str) -> None:
    """The app reads compiled catalogs (.mo, gitignored build output of `make translations`).
    Without an up-to-date one every page stays English, and a test would fail for the wrong reason."""
    po = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        pytest.fail(f"{mo.relative_to(CATALOGS.parents[1])} is missing or older than messages.po: "
                    "run `make translations` (pybabel compile) before the browser tests", pytrace=False)
