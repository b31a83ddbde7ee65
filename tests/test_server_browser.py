"""The review page in a real browser: Debian's chromium driven by playwright.

Pastes a spun paragraph, checks the highlights against the API's report, the tooltip, the
restored and side-by-side views, copy and download, a dropped HTML file, the keyboard and a
narrow screen, and takes the README's screenshots: into a temporary folder, or into
$UNSPIN_SCREENSHOT_DIR (`make screenshots` refreshes docs/screenshot*.png that way), so the
test suite never rewrites tracked files.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")  # the serve extra; `make test` installs it
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")

from server_util import CLEAN, SPUN, running_server  # noqa: E402

CHROMIUM = os.environ.get("UNSPIN_CHROMIUM", "/usr/bin/chromium")
# Flags this machine's headless chromium needs (no sandbox as root, no network chatter).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
]

if not shutil.which(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} not installed (make test installs Debian's chromium)", allow_module_level=True
    )

SAMPLE = SPUN + (
    "\n\nProfound learning has been particularly fruitful in radiology. A neural system can "
    "discover little tumours in bosom malignant growth screening that a worn out specialist "
    "may miss."
)


@pytest.fixture(scope="module")
def server():
    with running_server("--no-access-log") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(
        viewport={"width": 1200, "height": 900},
        reduced_motion="reduce",
        color_scheme="light",
        accept_downloads=True,
    )
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    pg = ctx.new_page()
    pg.foreign = []  # requests that left the server: there must be none
    pg.errors = []
    pg.on("request", lambda r: None if r.url.startswith(server.url) else pg.foreign.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(server.url + "/")
    yield pg
    assert pg.foreign == [], pg.foreign
    assert pg.errors == [], pg.errors
    ctx.close()


def analyze(page, text: str) -> None:
    page.fill("#text", text)
    page.click("#analyze")
    page.wait_for_selector("#results:not([hidden])")


def api_report(server, text: str) -> dict:
    with server.client() as c:
        return c.post("/v1/analyze", json={"text": text}).json()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    env = os.environ.get("UNSPIN_SCREENSHOT_DIR")
    d = Path(env) if env else tmp_path_factory.mktemp("screenshots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_paste_highlight_restore_and_screenshot(page, server, shots):
    report = api_report(server, SAMPLE)
    assert len(report["spans"]) >= 3
    analyze(page, SAMPLE)

    # verdict and gauge
    pct = round(report["spun_probability"] * 100)
    assert page.get_attribute("#gauge", "aria-valuenow") == str(pct)
    assert page.inner_text("#gauge-pct") == f"{pct}%"
    assert page.get_attribute("#verdict", "data-verdict") == report["verdict"]

    # one highlight per span, in order, with the span's kind
    spans = sorted(report["spans"], key=lambda s: s["start"])
    marks = page.locator("#doc mark")
    assert marks.count() == len(spans)
    for i, s in enumerate(spans):
        m = marks.nth(i)
        assert m.inner_text() == s["text"]
        assert f"k-{s['kind']}" in m.get_attribute("class")
    assert page.inner_text("#doc") == SAMPLE  # highlighting keeps every character
    assert page.inner_text("#flag-count") == str(len(spans))

    # the original on hover and on keyboard focus
    first = spans[0]
    marks.nth(0).hover()
    assert page.is_visible("#tip")
    assert first["original"] in page.inner_text("#tip")
    page.mouse.move(0, 0)
    marks.nth(1).focus()
    assert page.is_visible("#tip") and spans[1]["original"] in page.inner_text("#tip")
    assert marks.nth(1).get_attribute("aria-describedby") == "tip"
    page.keyboard.press("Escape")
    assert page.is_hidden("#tip")

    # the screenshot the README shows: a highlighted span with its tooltip open
    page.evaluate("document.getElementById('toast').classList.remove('show')")
    page.mouse.move(0, 0)
    page.locator("#results").scroll_into_view_if_needed()
    marks.nth(0).focus()
    page.screenshot(path=str(shots / "screenshot.png"), full_page=True)
    assert (shots / "screenshot.png").stat().st_size > 10_000

    # restored view: exactly the API's restored text, originals highlighted
    page.click("label[for=view-restored]")
    assert page.inner_text("#doc") == report["restored"]
    restored_marks = page.locator("#doc mark.restored")
    assert restored_marks.count() == sum(1 for s in spans if s["original"])
    assert "artificial intelligence" in report["restored"].lower()

    # side by side: one row per paragraph, spun words struck out, originals inserted
    page.click("label[for=view-diff]")
    rows = page.locator("#diff-rows .drow")
    assert rows.count() == 2
    assert page.locator("#diff-rows del").count() == len(spans)
    left = rows.nth(0).locator(".dcell").nth(0).inner_text()
    right = rows.nth(0).locator(".dcell").nth(1).inner_text()
    assert "counterfeit consciousness" in left and "counterfeit consciousness" not in right
    assert report["restored"].split("\n")[0] in right

    # copy the restored text; download the JSON report
    page.click("#copy")
    assert page.evaluate("navigator.clipboard.readText()") == report["restored"]
    with page.expect_download() as dl:
        page.click("#download")
    saved = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert saved == report


def test_keyboard_only(page, server):
    page.focus("#text")
    page.keyboard.insert_text(SPUN)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#results:not([hidden])")
    # jump to a flag from the list with the keyboard: its highlight gets focus and tooltip
    page.focus("#flags li:nth-child(2) button")
    page.keyboard.press("Enter")
    focused = page.evaluate(
        "document.activeElement.tagName + ':' + document.activeElement.className"
    )
    assert focused.startswith("MARK:")
    assert page.is_visible("#tip")
    # the view switcher is a radio group: arrow keys move between views
    page.focus("#view-spun")
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#view-restored")
    assert page.inner_text("#doc") == api_report(server, SPUN)["restored"]


def test_dropped_html_file(page, tmp_path):
    html = (
        "<!doctype html><html><head><title>x</title><style>p{color:red}</style>"
        "<script>document.title='no'</script></head><body><nav>Home | About</nav>"
        f"<article><h1>Hospitals</h1><p>{SPUN}</p><p>{CLEAN}</p></article></body></html>"
    )
    f = tmp_path / "article.html"
    f.write_text(html, encoding="utf-8")
    page.set_input_files("#file", str(f))
    page.wait_for_selector("#results:not([hidden])")
    text = page.input_value("#text")
    assert text == f"Hospitals\n\n{SPUN}\n\n{CLEAN}"
    assert page.locator("#doc mark").count() >= 2
    with page.expect_download() as dl:
        page.click("#download")
    assert dl.value.suggested_filename == "article.unspin.json"


def test_clean_text_and_server_errors_are_shown(page):
    analyze(page, CLEAN)
    assert page.locator("#doc mark").count() == 0
    assert page.is_visible("#no-flags")
    page.fill("#text", "   ")
    page.click("#analyze")
    assert page.is_visible("#error")
    page.fill("#text", "word " * 40_001)  # over the server's 200,000 characters
    page.click("#analyze")
    assert "200,000" in page.inner_text("#error")


def test_narrow_screen(browser, server, shots):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, reduced_motion="reduce")
    pg = ctx.new_page()
    pg.goto(server.url + "/")
    analyze(pg, SAMPLE)
    for view in ("spun", "restored", "diff"):
        pg.click(f"label[for=view-{view}]")
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{view} view scrolls sideways by {overflow}px"
    pg.click("label[for=view-spun]")
    pg.evaluate("document.getElementById('toast').classList.remove('show')")
    pg.screenshot(path=str(shots / "screenshot-narrow.png"), full_page=True)
    ctx.close()


def test_sources_shown_when_the_server_has_an_index(browser, tmp_path):
    """With --db the page traces the text too: its sources and, sentence by sentence, which
    source each sentence was rewritten from; without an index the card stays hidden."""
    from unspin.trace import Index

    examples = Path(__file__).resolve().parent.parent / "examples"
    original = (examples / "original_article.txt").read_text(encoding="utf-8")
    spun = (examples / "spun_article.txt").read_text(encoding="utf-8")
    db = tmp_path / "refs.db"
    with Index(db, mode="a") as idx:
        idx.add([("hospital-ai", original), ("river", CLEAN * 3)])
    with running_server("--db", str(db), "--no-access-log") as srv:
        pg = browser.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(srv.url + "/")
        analyze(pg, spun)
        pg.wait_for_selector("#sources-card:not([hidden])")
        assert pg.inner_text("#source-count") == "1"
        assert "hospital-ai" in pg.inner_text("#sources")
        rows = pg.locator("#sentences li")
        assert rows.count() == 8
        assert "hospital-ai" in rows.nth(1).inner_text()
        assert "Over the past decade" in rows.nth(1).inner_text()
        other = (
            "The committee met on Tuesday to discuss the budget for the new library, which "
            "will open next spring in the old railway station near the harbour."
        )
        analyze(pg, other)
        pg.wait_for_selector("#no-sources:not([hidden])")
        assert errors == []
        pg.close()
