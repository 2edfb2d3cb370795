"""Hostile posts and titles in a real browser: the thread, board and search pages run no script.

The world of tests/forum/xss_world.py (every hostile input as a post, some as titles, a hostile
author name, quotes of hostile floors) is opened in chromium with a trap installed before any
page script: ``alert``/``confirm``/``prompt``/``print`` and ``console.*`` record into
``window.__xss``, and many payloads call ``window.__xss.push`` themselves. Dialogs are recorded
too. The browser context *bypasses* the app's Content-Security-Policy, so that what is tested is
the sanitiser and the templates, not CSP alone; a control proves the trap fires when markup does
get through. The DOM is then checked for handlers, script URLs and embedding elements.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from forum import services
from portal.extensions import db
from tests.browser.conftest import ACTION_TIMEOUT_MS, NAVIGATION_TIMEOUT_MS
from tests.forum.xss_world import FORUM_HOSTILE_INPUTS, MARKER, seed

pytestmark = pytest.mark.browser

TRAP_SCRIPT = """
(() => {
  const calls = [];
  Object.defineProperty(window, "__xss", {value: calls, writable: false, configurable: false});
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = (...args) => { calls.push(name + ":" + args.join(",")); };
  }
  for (const name of ["log", "info", "warn", "error", "debug"]) {
    console[name] = (...args) => { calls.push("console." + name + ":" + args.join(",")); };
  }
})();
"""

# Run in the page: everything a payload could use to run script or leave the page.
DOM_AUDIT = """
() => {
  const problems = [];
  const invisible = /[\\u0000-\\u0020\\u007f\\u200b-\\u200f\\u202a-\\u202e\\u2060\\ufeff]/g;
  const badUrl = (value) => /^(javascript|vbscript|data):/i.test(value.replace(invisible, ""));
  const urlAttributes = ["href", "src", "action", "formaction", "data", "poster", "background",
                         "xlink:href", "srcdoc", "srcset", "ping", "cite"];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) problems.push(`${element.localName}[${name}]`);
      if (urlAttributes.includes(name) && badUrl(attribute.value)) {
        problems.push(`${element.localName}[${name}=${attribute.value.slice(0, 40)}]`);
      }
    }
  }
  const everywhere = "script, iframe, frame, object, embed, applet, base, svg, math, template, "
                   + "noscript, meta[http-equiv], [style]";
  for (const element of document.querySelectorAll(everywhere)) {
    problems.push(`page: ${element.outerHTML.slice(0, 80)}`);
  }
  const inPosts = ".prose :is(form, input, button, textarea, select, link, meta, style, img, "
                + "video, audio, source, marquee, div, span, details)";
  for (const element of document.querySelectorAll(inPosts)) {
    problems.push(`post: ${element.outerHTML.slice(0, 80)}`);
  }
  return problems;
}
"""


@pytest.fixture(scope="module")
def xss_world(live_server):
    with live_server.app.app_context():
        world = seed("xss-browser", "xss-browser")
        db.session.commit()
    return world


@pytest.fixture
def trapped(browser, live_server):
    """A page with the trap installed, CSP bypassed, and requests to other hosts refused."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    context.add_init_script(TRAP_SCRIPT)
    context.base_url = live_server.url
    dialogs: list[str] = []
    elsewhere: list[str] = []

    def refuse_other_hosts(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", refuse_other_hosts)
    page = context.new_page()

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page, dialogs, elsewhere
    finally:
        context.close()


def visit(page, path: str) -> None:
    """Open ``path``, let it load, and check that nothing ran and nothing executable is there."""
    page.goto(path)
    page.wait_for_load_state("load")
    # A <meta refresh> or a <base> let through would take the browser elsewhere.
    expected = page.context.base_url + unquote(path)
    assert unquote(page.url) == expected, f"the page left {path} for {page.url}"
    assert page.evaluate("() => window.__xss.slice()") == [], path
    assert page.evaluate(DOM_AUDIT) == [], path


def test_the_trap_catches_markup_that_gets_through(trapped, xss_world):
    """Control: with CSP bypassed, a handler in the page does run and is recorded."""
    page, dialogs, _elsewhere = trapped
    page.goto(f"/forum/b/{xss_world.board_slug}")
    page.evaluate(
        """() => {
            const prose = document.createElement("div");
            prose.className = "prose";
            prose.innerHTML = '<img src="/nowhere.png" onerror="window.__xss.push(1); alert(2)">';
            document.querySelector("main").append(prose);
        }"""
    )
    page.wait_for_function("() => window.__xss.length >= 2")
    assert page.evaluate("() => window.__xss.slice()") == [1, "alert:2"]
    assert page.evaluate(DOM_AUDIT) != []
    assert dialogs == []  # alert was replaced by the trap


def test_hostile_posts_titles_and_names_run_no_script(trapped, xss_world):
    page, dialogs, elsewhere = trapped
    floors = xss_world.post_count - len(xss_world.title_thread_ids)
    assert floors > len(FORUM_HOSTILE_INPUTS)
    shown = 0
    for number in range(1, services.page_of_floor(floors) + 1):
        visit(page, f"/forum/t/{xss_world.big_thread_id}?page={number}")
        shown += page.locator("main article.post").count()
    assert shown == floors
    # The hidden post's reason is shown as text to a visitor.
    visit(page, f"/forum/t/{xss_world.big_thread_id}")
    notice = page.locator("#floor-2 .notice")
    assert "<script>alert('reason')</script>广告" in notice.inner_text()

    for thread_id in xss_world.title_thread_ids:
        visit(page, f"/forum/t/{thread_id}")
        assert page.locator("h1").inner_text() != ""

    visit(page, f"/forum/b/{xss_world.board_slug}")
    assert page.locator("main tbody tr").count() == len(xss_world.title_thread_ids) + 1
    visit(page, "/forum/")

    visit(page, f"/forum/search?q={MARKER}")
    results = page.locator("ol.search-results > li").count()
    while (older := page.locator("main a[rel=next]")).count():
        path = older.get_attribute("href")
        visit(page, path)
        results += page.locator("ol.search-results > li").count()
    assert results == xss_world.post_count - 1  # every post but the hidden one

    assert dialogs == []
    assert elsewhere == []
