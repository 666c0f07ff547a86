"""Playwright (sync API) fixtures for browser tests, on Debian's Chromium.

Every test in this folder is marked ``browser`` automatically, so
``pytest -m "not browser"`` skips them. Tests combine these fixtures with
pytest-django's ``live_server`` and create their data themselves, e.g.
``call_command("seed_demo")``.

Fixtures:
    browser      one headless Chromium for the whole session
    page         desktop page, 1366x900, zh-CN, Asia/Shanghai
    phone_page   phone page, 390x844, touch, device scale factor 2
    screenshot   screenshot(page, name) -> var/screenshots/<name>.png
    login        login(page, live_server, username, password=DEMO_PASSWORD)

Both pages carry ``page.console_errors``: a list of the JavaScript errors,
console.error() messages, failed resource loads and blocked requests to
other hosts seen so far, so a test can end with
``assert page.console_errors == []``.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in this thread,
# and Django refuses ORM calls from a thread with a running loop unless told
# that this is safe. It is here: tests drive the browser and the database
# one after the other, never concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Dangjian@2026")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BROWSER_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = BROWSER_DIR.parents[1] / "var" / "screenshots"

# Milliseconds Playwright waits for a page, selector or navigation.
DEFAULT_TIMEOUT_MS = int(os.environ.get("PLAYWRIGHT_TIMEOUT_MS", "15000"))

# Without the networking switches Chromium keeps trying to reach Google's
# services, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Any http(s) URL whose host is not the loopback interface.
EXTERNAL_URL = re.compile(r"^(?:https?|wss?)://(?!(?:127\.0\.0\.1|localhost|\[::1\])(?:[:/]|$))")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real browser (Playwright + Chromium)")


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM_PATH,
        headless=True,
        args=CHROMIUM_ARGS,
    )
    yield browser
    browser.close()


def _open_page(browser, **context_options):
    """A page in a fresh context (own cookies and storage), with error capture."""
    # Reduced motion turns off Bootstrap's transitions, so modals and
    # collapses settle at once and screenshots are stable.
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce", **context_options
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.console_errors = errors

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            errors.append(f"console.error: {message.text}" + (f" ({where})" if where else ""))

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))

    # Pages must not load anything from other hosts (assets are vendored);
    # such requests are refused and reported instead of hanging offline.
    def block_external(route):
        errors.append(f"blocked external request: {route.request.url}")
        route.abort()

    context.route(EXTERNAL_URL, block_external)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _open_page(browser, viewport={"width": 1366, "height": 900})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _open_page(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name, full_page=True) saves var/screenshots/<name>.png."""

    def take(page, name, full_page=True):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def demo_password():
    return DEMO_PASSWORD


@pytest.fixture
def login():
    """login(page, live_server, username, password=DEMO_PASSWORD) -> page.

    Submits the login form and waits for the page it leads to. It does not
    check the outcome: a rejected login stays on the login page.
    """

    def do_login(page, live_server, username, password=DEMO_PASSWORD):
        base = getattr(live_server, "url", live_server)
        page.goto(f"{base}/accounts/login/")
        form = page.locator("form").filter(has=page.locator('input[name="password"]'))
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(password)
        with page.expect_navigation():
            form.locator("button[type=submit]").first.click()
        return page

    return do_login
