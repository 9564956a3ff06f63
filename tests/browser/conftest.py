"""Browser fixtures: one real server and one headless Chromium per test session.

The server is `serve.py` (gevent, Socket.IO) on a free loopback port with its own SQLite
database, seeded with the demo forum. Chromium is Debian's /usr/bin/chromium driven by
Playwright; Playwright's own browser download is never used. Every context records the hosts
its pages contact, and a test fails if any page reaches beyond our server.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from forum.i18n import LANGUAGE_COOKIE
from tests.browser.server import DEMO_PASSWORD, LiveServer, demo_email
from tests.conftest import skip_or_fail

INSTALL_HINT = "Chromium is not installed: apt-get install chromium chromium-driver"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 720}  # WCAG 1.4.10 reflow width


def chromium_path() -> str | None:
    """FORUM_CHROMIUM if set (it alone counts), else Debian's chromium."""
    if os.environ.get("FORUM_CHROMIUM"):
        candidates = [os.environ["FORUM_CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and Path(c).exists()), None)


# One browser and one server per test run, even when another folder's conftest imports these
# fixtures (pytest then holds a second fixture definition; both hand out the same objects).
_SHARED: dict[str, object] = {}


@pytest.fixture(scope="session")
def chromium_browser():
    """Headless Debian Chromium, shared by every browser test; skips (fails in CI) without it."""
    if "browser" in _SHARED:
        yield _SHARED["browser"]
        return
    executable = chromium_path()
    if executable is None:
        skip_or_fail(INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright for Python is missing: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        _SHARED["browser"] = browser
        try:
            yield browser
        finally:
            del _SHARED["browser"]
            browser.close()


@pytest.fixture(scope="session")
def live_server(chromium_browser, tmp_path_factory) -> Iterator[LiveServer]:
    """The real server with the demo forum; started once, after the browser is known to exist."""
    if "server" in _SHARED:
        yield _SHARED["server"]
        return
    server = LiveServer(tmp_path_factory.mktemp("browser-server"))
    server.prepare()
    server.start()
    _SHARED["server"] = server
    try:
        yield server
    finally:
        del _SHARED["server"]
        server.stop()


class Recorder:
    """The URLs a context's pages asked for, and the script errors they raised."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.urls: list[str] = []
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda socket: self.urls.append(socket.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(message.text)

    def foreign(self) -> list[str]:
        ours = urlsplit(self.origin).netloc
        return [url for url in self.urls
                if urlsplit(url).scheme not in ("data", "blob", "about")
                and urlsplit(url).netloc != ours]


@pytest.fixture
def new_context(chromium_browser, live_server) -> Iterator[Callable]:
    """new_context(language="sv", viewport=DESKTOP, **options) -> a fresh browser context.

    At the end of the test every context must have stayed on our host and raised no
    script or Content-Security-Policy error."""
    made: list[tuple[object, Recorder]] = []

    def make(language: str = "sv", viewport: dict | None = None, **options):
        context = chromium_browser.new_context(
            base_url=live_server.url, locale="sv-SE" if language == "sv" else "en-GB",
            viewport=viewport or DESKTOP, **options)
        context.set_default_timeout(5000)
        recorder = Recorder(live_server.url)
        context.on("page", recorder.watch)
        context.recorder = recorder  # for tests that look at the traffic themselves
        made.append((context, recorder))
        return context

    yield make
    problems = []
    for context, recorder in made:
        context.close()
        problems += [f"request to another host: {url}" for url in recorder.foreign()]
        problems += [f"script error: {error}" for error in recorder.errors]
    assert not problems, "\n".join(problems)


class SignedInPages:
    """One context per person, reused across the sweep so each signs in once; the language
    cookie picks the language. axe-core is injected as an init script, so it is present in every
    page the context opens while the app's Content-Security-Policy stays on."""

    def __init__(self, browser, server) -> None:
        self.browser, self.server = browser, server
        self.pages: dict[str | None, object] = {}
        self.recorders: list[Recorder] = []

    def page(self, who: str | None, language: str):
        if who not in self.pages:
            context = self.browser.new_context(base_url=self.server.url, viewport=DESKTOP,
                                               locale="sv-SE")
            context.add_init_script(path=str(AXE_PATH))
            context.set_default_timeout(5000)
            recorder = Recorder(self.server.url)
            context.on("page", recorder.watch)
            self.recorders.append(recorder)
            page = context.new_page()
            two_factor = self.server.facts["two_factor"]
            if who == "half_signed_in":  # the password given, the code still to come
                password_step(page, two_factor["email"])
            elif who == "two_factor":
                sign_in(page, two_factor["email"], secret=two_factor["secret"])
            elif who is not None:
                sign_in(page, self.server.facts["emails"].get(who) or demo_email(who))
            self.pages[who] = page
        page = self.pages[who]
        page.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language,
                                   "url": self.server.url}])
        return page

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture(scope="session")
def signed_in_pages(chromium_browser, live_server) -> Iterator[SignedInPages]:
    """signed_in_pages.page(who, language): a page signed in once per person for the whole run."""
    if not AXE_PATH.exists():
        skip_or_fail("axe-core is missing: run `make vendor` (npm ci) to install node_modules")
    pages = SignedInPages(chromium_browser, live_server)
    yield pages
    pages.close()
    foreign = [url for recorder in pages.recorders for url in recorder.foreign()]
    errors = [error for recorder in pages.recorders for error in recorder.errors]
    assert not foreign, f"pages contacted other hosts: {foreign}"
    assert not errors, f"pages raised script errors: {errors}"


@pytest.fixture
def person_page(signed_in_pages) -> Iterator[Callable]:
    """person_page("mod") -> a new page (tab) of that demo member, already signed in; the
    member's context is shared with the sweep, so each person signs in once per run. Pages
    are closed at the end of the test."""
    opened = []

    def open_page(who: str, language: str = "sv"):
        context = signed_in_pages.page(who, language).context
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()
    for recorder in signed_in_pages.recorders:
        assert not recorder.foreign(), f"requests to other hosts: {recorder.foreign()}"
        assert not recorder.errors, f"script errors: {recorder.errors}"


def password_step(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def sign_in(page, email: str, password: str = DEMO_PASSWORD, secret: str | None = None) -> None:
    """Sign in through the login form, as a person would (with the code from `secret`'s
    authenticator when the member uses two-factor sign-in)."""
    password_step(page, email, password)
    if secret is not None and page.url.endswith("/login/two-factor"):
        import pyotp

        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    assert "/login" not in page.url, "sign-in failed for " + email


@pytest.fixture
def demo_page(new_context) -> Callable:
    """demo_page("anna", language="sv") -> a page signed in as that demo member (None: visitor)."""

    def make(key: str | None, language: str = "sv", **options):
        page = new_context(language, **options).new_page()
        if key is not None:
            sign_in(page, key if "@" in key else demo_email(key))
        return page

    return make
