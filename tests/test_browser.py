"""End to end in Debian's chromium (Playwright): the chat page and the widget on foreign portals."""

import functools
import http.server
import threading

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
HOSTILE_CSS = "* { letter-spacing: 3px !important; color: red !important; font-size: 30px !important; }\n"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    yield page
    context.close()


class PortalHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with a strict Content-Security-Policy that allows only the widget's origin."""
    service = ""

    def end_headers(self):
        self.send_header("Content-Security-Policy", f"default-src 'self'; script-src 'self' {self.service}; "
                         f"connect-src {self.service}; style-src 'self'; img-src 'self'")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def portals(live_server, portal_ports, tmp_path_factory):
    """Two municipal portal sites on other origins, each embedding the widget with one script tag."""
    site = tmp_path_factory.mktemp("portal")
    (site / "portal.css").write_text(HOSTILE_CSS)
    (site / "index.html").write_text(f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Stadtportal Ulm</title><link rel="stylesheet" href="portal.css"></head>
<body><h1>Stadtportal</h1><p id="host-text">Inhalt des Portals</p>
<script src="{live_server}/widget.js" data-city="ulm" data-title="Fragen zu Ulm digital" data-color="#0a5" async></script>
</body></html>""")
    (site / "blank.html").write_text("""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>leer</title>
</head><body><p>ohne Widget</p></body></html>""")
    handler = type("Handler", (PortalHandler,), {"service": live_server})
    servers = {}
    for name, port in portal_ports.items():
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[name] = f"http://127.0.0.1:{port}"
    yield servers
    # the threads are daemons; the sockets close with the process


def ask_on_page(page, question):
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    answer = page.locator(".turn").last.locator(".answer-text")
    expect(answer).to_contain_text("[1]", timeout=30_000)
    return answer


def test_chat_page_streams_an_answer_with_working_citations(page, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server)
    expect(page.locator("#city option")).to_have_count(4)  # "Alle Städte" + the 3 fixture cities
    answer = ask_on_page(page, "Welche Partner hat Ulm?")
    assert answer.get_attribute("aria-live") == "polite"
    turn = page.locator(".turn").last
    expect(turn.locator("ol.sources li").first).to_contain_text("Ulm")
    turn.locator("button.cite").first.click()
    popover = turn.locator(".popover")
    expect(popover).to_be_visible()
    link = popover.locator("a").first
    assert link.get_attribute("href").startswith("https://")
    assert link.get_attribute("rel") == "noopener noreferrer"
    page.screenshot(path=str(ARTIFACTS / "chat-page.png"), full_page=True)


def test_follow_up_question_stays_in_the_conversation(page, live_server):
    page.goto(live_server)
    ask_on_page(page, "Was macht Ulm bei der Mobilität?")
    ask_on_page(page, "Und Jena?")
    expect(page.locator(".turn").last.locator("ol.sources")).to_contain_text("Jena")


def test_keyboard_only_use_of_the_chat_page(page, live_server):
    page.goto(live_server)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "question":
            break
    assert page.evaluate("document.activeElement.id") == "question"
    page.keyboard.type("Was ist LoRaWAN?")
    page.keyboard.press("Enter")
    expect(page.locator(".answer-text").last).to_contain_text("[1]", timeout=30_000)
    cite = page.locator("button.cite").first
    cite.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".popover")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".popover")).to_have_count(0)
    assert page.evaluate("document.activeElement.classList.contains('cite')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_html_in_corpus_documents_is_shown_as_text_and_never_runs(page, live_server):
    page.goto(live_server)
    answer = ask_on_page(page, "Wie viele Galleonen zahlt der Zaubertrank-Fonds je Flug?")
    turn = page.locator(".turn").last
    turn.locator("button.cite").first.click()
    expect(turn.locator(".popover")).to_contain_text("<img src=x onerror=")
    expect(turn.locator("ol.sources")).to_contain_text("<b>Fett</b>")
    assert turn.locator("img").count() == 0 and turn.locator("b").count() == 0
    assert not turn.locator("a[href^='javascript:']").count()
    assert page.evaluate("window.__xss") is None
    assert "Galleonen" in answer.inner_text()


def test_page_works_at_360_pixels(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server)
    ask_on_page(page, "Welche Partner hat Ulm?")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(ARTIFACTS / "chat-page-360.png"), full_page=True)
    context.close()


def test_widget_on_an_allowed_portal_answers_with_sources(page, portals):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(portals["allowed"])
    launcher = page.locator("#qa-widget-host button.launcher")
    expect(launcher).to_be_visible()
    launcher.click()
    page.locator("#qa-widget-host textarea").fill("Welche Partner hat die Stadt?")
    page.locator("#qa-widget-host button.send").click()
    answer = page.locator("#qa-widget-host .bot .answer-text").last
    expect(answer).to_contain_text("[1]", timeout=30_000)
    expect(page.locator("#qa-widget-host ol.sources").last).to_contain_text("Ulm")
    page.screenshot(path=str(ARTIFACTS / "widget-portal.png"))
    assert errors == []


def test_widget_is_isolated_from_the_host_page(page, portals):
    page.goto(f"{portals['allowed']}/blank.html")
    globals_before = set(page.evaluate("Object.keys(window)"))
    page.goto(portals["allowed"])
    expect(page.locator("#qa-widget-host button.launcher")).to_be_visible()
    assert set(page.evaluate("Object.keys(window)")) - globals_before == {"QAWidget"}
    spacing = page.locator("#qa-widget-host button.launcher").evaluate("b => getComputedStyle(b).letterSpacing")
    assert spacing in ("normal", "0px")
    host_spacing = page.locator("#host-text").evaluate("p => getComputedStyle(p).letterSpacing")
    assert host_spacing == "3px"  # the widget's styles do not leak out either
    page.locator("#qa-widget-host button.launcher").click()
    page.locator("#qa-widget-host textarea").fill("Was ist LoRaWAN?")
    page.locator("#qa-widget-host button.send").click()
    expect(page.locator("#qa-widget-host .bot .answer-text").last).to_contain_text("[", timeout=30_000)
    assert page.evaluate("document.cookie") == "" and page.evaluate("localStorage.length") == 0
    assert page.evaluate("sessionStorage.length") == 0


def test_widget_on_a_portal_that_is_not_allowed_shows_the_refusal(page, portals):
    page.goto(portals["denied"])
    page.locator("#qa-widget-host button.launcher").click()
    refusal = page.locator("#qa-widget-host .refused")
    expect(refusal).to_contain_text("nicht freigeschaltet", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "widget-refused.png"))
