"""Browser tests: Playwright drives Debian's /usr/bin/chromium against a real ``schoolflow serve``.

One server per session, on a temporary SQLite file holding the demo data (``cli.demo_cases``), so the
tests see what ``bash scripts/demo.sh`` serves. Without Chromium these tests skip with the reason, except
under ``CI=true``, where a missing browser fails the run.

Screenshots (``shot``) are always taken; they are written to docs/screenshots/ (shown by the README) only
when ``SCREENSHOTS=1`` is set, otherwise to a temporary directory: the pages show today's dates, so
writing them on every run would change the committed files each time.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.demo_cases import PASSWORD, Demo, build_demo
from tests.live_server import serving

CHROMIUM = Path("/usr/bin/chromium")
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = DOCS_SHOTS if os.environ.get("SCREENSHOTS") == "1" else Path(tempfile.mkdtemp(prefix="screenshots-"))


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing; scripts/test.sh installs Debian's chromium", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (scripts/test.sh installs it when run as root)")


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The served demo database, for a test that acts through the engine beside the browser."""
    return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.sqlite'}"


@pytest.fixture(scope="session")
def demo_server(demo_db_url: str) -> Iterator[tuple[str, Demo]]:
    _need_chromium()
    demo = build_demo(demo_db_url)
    with serving(demo_db_url) as base:
        yield base, demo


@pytest.fixture(scope="session")
def demo(demo_server: tuple[str, Demo]) -> Demo:
    """The demo's data: ``demo.case["overdue"]`` and so on are its case numbers."""
    return demo_server[1]


@pytest.fixture(scope="session")
def browser(demo_server: tuple[str, Demo]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # --lang: the browser's own words (file picker, date fields) in Chinese too, as in a school office
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--lang=zh-CN"])
        yield b
        b.close()


@pytest.fixture
def sign_in(demo_server: tuple[str, Demo], browser: object) -> Iterator[object]:
    """sign_in(user, width=1280) -> a signed-in page in its own browser context."""
    yield from signing_in(browser, demo_server[0])


def signing_in(browser: object, base: str) -> Iterator[object]:
    """The body of a ``sign_in`` fixture for the server at ``base``: yields the function, then closes
    every browser context it opened."""
    contexts = []

    def _sign_in(user: str, width: int = 1280, height: int = 800) -> object:
        ctx = browser.new_context(base_url=base, viewport={"width": width, "height": height},
                                  locale="zh-CN")  # type: ignore[attr-defined]
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto("/login")
        page.fill("#username", user)
        page.fill("#password", PASSWORD)
        page.click("form.sf-login button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, f"{user} could not sign in"
        return page

    yield _sign_in
    for ctx in contexts:
        ctx.close()


def shot(page: object, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
