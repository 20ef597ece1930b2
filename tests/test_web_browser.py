"""The planner's journey in a real Chromium (Playwright), by keyboard alone.

Upload the bundled CSS element set and the Tiangong 2022 campaign, plan it, see six
missions and the port Gantt (screenshot kept in out/artifacts/), break a date, read the
infeasibility explanation, restore the previous version. Every control is reached with Tab
and used with Enter, Space or typing. Skips when Debian's chromium is not installed
(.ci/run installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from web_server import ROOT, STATIONS_TLE, TIANGONG, TOKEN, Server, chromium

pytestmark = pytest.mark.skipif(chromium() is None, reason="Debian chromium not installed")

ARTIFACTS = ROOT / "out" / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Shenzhou-14's launch window moved before Tianzhou-4 can fly (tests/test_web_api.py).
OLD_DATES = "earliest = 2022-05-20, latest = 2022-06-25, preferred = 2022-06-05T02:44:10Z"
NEW_DATES = "earliest = 2022-04-21, latest = 2022-04-24, preferred = 2022-04-22T00:00:00Z"


@pytest.fixture
def page(tmp_path):
    from playwright.sync_api import sync_playwright

    server = Server(f"sqlite:///{tmp_path / 'web.db'}", tmp_path).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=ARGS)
            context = browser.new_context(
                base_url=server.base, viewport={"width": 1200, "height": 900}
            )
            found = context.new_page()
            found.set_default_timeout(60_000)
            # A standing handler keeps file-chooser interception on (an expect_file_chooser
            # armed just before the key press can lose the race with it).
            found.on("filechooser", lambda chooser: CHOOSERS.append(chooser))
            yield found
            browser.close()
    finally:
        server.stop()


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus (fails if never reached)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


CHOOSERS: list = []


def choose_file(page, selector: str, path: Path) -> None:
    """Open the file input's chooser with the Space key and pick ``path`` in it."""
    tab_to(page, selector)
    CHOOSERS.clear()
    for _ in range(3):
        page.keyboard.press("Space")
        for _ in range(50):
            if CHOOSERS:
                CHOOSERS.pop().set_files(str(path))
                return
            page.wait_for_timeout(100)
    raise AssertionError(f"Space on {selector} opened no file chooser")


def sign_in(page) -> None:
    """Sign in by keyboard: the token field has the focus (autofocus); wait for it rather
    than race it, type the token, Enter, land on the dashboard."""
    page.goto("/login")
    page.wait_for_function("document.activeElement?.id === 'token'")
    page.keyboard.type(TOKEN)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")


def test_the_planners_journey_by_keyboard(page):
    sign_in(page)

    choose_file(page, "#elements-file", STATIONS_TLE)
    tab_to(page, "#upload-elements")
    page.keyboard.press("Enter")
    page.wait_for_selector("#element-sets tbody tr")
    assert "stations.tle" in page.locator("#element-sets").inner_text()

    page.goto("/")
    tab_to(page, "#campaign-name")
    page.keyboard.type("Tiangong 2022")
    choose_file(page, "#campaign-file", TIANGONG)
    tab_to(page, "#create-campaign")
    page.keyboard.press("Enter")
    page.wait_for_url("**/campaigns/1")

    tab_to(page, "#plan")
    page.keyboard.press("Enter")
    page.wait_for_selector("#missions tbody tr")
    assert page.locator("#missions tbody tr").count() == 6
    assert page.locator("#gantt .bar").count() >= 6
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#gantt").screenshot(path=str(ARTIFACTS / "web-gantt.png"))
    page.screenshot(path=str(ARTIFACTS / "web-campaign.png"), full_page=True)

    # Break a date: walk the editor to Shenzhou-14's window with the arrow keys and retype it.
    text = TIANGONG.read_text()
    before = text[: text.index(OLD_DATES)]
    line, column = before.count("\n"), len(before) - (before.rfind("\n") + 1)
    page.goto("/campaigns/1")
    tab_to(page, "#toml")
    page.keyboard.press("Control+Home")
    for _ in range(line):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    for _ in range(len(OLD_DATES)):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.type(NEW_DATES)
    tab_to(page, "#save")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#toml-error").count() == 0, page.locator("#toml-error").inner_text()
    page.wait_for_selector("#versions tbody tr >> nth=1")
    assert NEW_DATES in page.locator("#toml").input_value()
    tab_to(page, "#plan")
    page.keyboard.press("Enter")
    explanation = page.wait_for_selector("#explanation")
    assert "no opportunity between 2022-04-21" in explanation.inner_text()
    assert "Shenzhou-14" in explanation.inner_text()

    tab_to(page, "button.restore[data-version='1']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#versions tbody tr >> nth=2")
    assert page.locator("#toml").input_value() == text
    tab_to(page, "#plan")
    page.keyboard.press("Enter")
    page.wait_for_selector("#missions tbody tr")
    assert page.locator("#missions tbody tr").count() == 6


def test_a_malformed_edit_shows_the_line_in_the_editor(page):
    sign_in(page)
    tab_to(page, "#campaign-name")
    page.keyboard.type("TG")
    choose_file(page, "#campaign-file", TIANGONG)
    tab_to(page, "#create-campaign")
    page.keyboard.press("Enter")
    page.wait_for_url("**/campaigns/1")
    tab_to(page, "#toml")
    page.keyboard.press("Control+End")
    page.keyboard.type("\n[campaign\n")
    tab_to(page, "#save")
    page.keyboard.press("Enter")
    error = page.wait_for_selector("#toml-error")
    lines = TIANGONG.read_text().count("\n") + 2
    assert error.inner_text().startswith(f"line {lines}:")
    assert page.locator(".gutter .bad").inner_text() == str(lines)


def test_the_moon_page_by_keyboard_matches_the_api(page):
    """From the dashboard, Tab to the Moon link, ask for a south-polar site over three days
    and for the Apollo 11 launch day's windows by typing; the tables show the API's numbers
    and a malformed latitude is announced as an alert naming the field."""
    page.goto("/")
    tab_to(page, "nav a[href='/moon']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/moon")
    for selector, text in (
        ("#m-lat", "-89.9"),
        ("#m-lon", "0"),
        ("#m-start", "2026-01-01"),
        ("#m-end", "2026-01-04"),
        ("#m-step", "12"),
    ):
        tab_to(page, selector)
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_selector("#site-conditions")
    api = page.request.get(
        "/api/lunar/site?lat=-89.9&lon=0&start=2026-01-01&end=2026-01-04&step_hours=12"
    ).json()
    rows = page.locator("#site-conditions tbody tr")
    assert rows.count() == len(api) == 7
    first = rows.nth(0).locator("td").all_inner_texts()
    assert first[0] == api[0]["utc"] and first[1] == f"{api[0]['sun_alt_deg']:.2f}"
    assert page.locator("svg[aria-label='Sun and Earth altitude'] polyline").count() == 2

    for selector, text in (
        ("#m-site", "kennedy"),
        ("#m-wstart", "1969-07-16"),
        ("#m-wend", "1969-07-17"),
    ):
        tab_to(page, selector)
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    tab_to(page, "#m-launcher")
    page.keyboard.type("saturn")
    tab_to(page, "#windows-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#lunar-windows")
    api = page.request.get(
        "/api/lunar/windows?site=kennedy&launcher=saturn-v&start=1969-07-16&end=1969-07-17"
    ).json()
    opens = page.locator("#lunar-windows tbody tr td:first-child").all_inner_texts()
    assert opens == [w["open_utc"] for w in api] and opens

    tab_to(page, "#m-lat")
    page.keyboard.press("Control+A")
    page.keyboard.type("95")
    page.keyboard.press("Enter")
    alert = page.wait_for_selector("#site-error[role='alert']")
    assert "[lat]" in alert.inner_text() and "outside -90..90" in alert.inner_text()
