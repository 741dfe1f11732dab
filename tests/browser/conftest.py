"""Browser tests: Debian's Chromium driven by Playwright against a live server, with axe-core injected."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import signed_in
from ..factories import make_staff

CHROMIUM = "/usr/bin/chromium"
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# axe-core rule tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    missing = [
        what for what, ok in (("Chromium", Path(CHROMIUM).exists()), ("axe-core", AXE_JS.exists())) if not ok
    ]
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if missing and not os.environ.get("CI"):
                item.add_marker(
                    pytest.mark.skip(reason=f"{', '.join(missing)} missing: run `make browser-deps`")
                )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make are still
    # plain synchronous calls, so Django's async-safety guard is relaxed for these tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Chromium is needed for browser tests"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page as `role` (None: anonymous). `bypass_csp` lets axe-core's script in."""
    contexts = []

    def open_page(role: str | None = None, *, javascript: bool = True, bypass_csp: bool = True, user=None):
        context = browser.new_context(
            base_url=live_server.url, java_script_enabled=javascript, bypass_csp=bypass_csp, locale="en-GB"
        )
        contexts.append(context)
        page_user = None
        if role is not None or user is not None:
            person = user or make_staff(role, mfa=role != "participant")
            page_user = person
            client = signed_in(person)
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.user = page_user
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def tab_to(page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was never reached with the Tab key")


# Journey screenshots are test artefacts: kept after the run under test-artefacts/journeys/<role>/ (or
# under GATHERING_TEST_ARTEFACTS), one PNG per step, so a person can look through each journey.
ARTEFACTS = Path(
    os.environ.get("GATHERING_TEST_ARTEFACTS", Path(__file__).resolve().parents[2] / "test-artefacts")
)


def screenshot_folder(role: str) -> Path:
    folder = ARTEFACTS / "journeys" / role
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"Screenshots: {folder}")
    return folder


def shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
