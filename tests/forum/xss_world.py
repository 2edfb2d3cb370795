"""Hostile posts, titles and names for the forum's XSS tests, and the rules for "no executable markup".

The inputs are portal.text's own list (``tests/portal/xss_inputs.py``) plus forum-specific ones:
payloads that call ``window.__xss.push`` (the browser test's trap), early-closing comments, more
link tricks, nested quotes carrying HTML, and mutation-XSS shapes. ``seed`` stores them through
the forum's services (as posts, as thread titles, as an author's name and in quotes), so that
the browser test (tests/browser/test_forum_xss.py) and the server-side test
(tests/forum/test_xss.py) look at the very same world.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from html.parser import HTMLParser

import sqlalchemy as sa

from forum import moderation, services
from forum.models import Board, Post, Thread
from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.extensions import db
from tests.portal.xss_inputs import HOSTILE_INPUTS

TRAP = "window.__xss.push"

FORUM_HOSTILE_INPUTS: dict[str, str] = {
    **HOSTILE_INPUTS,
    # Scripts and handlers that report to the browser test's trap
    "trap-script": f"<script>{TRAP}('script')</script>",
    "trap-img-onerror": f"<img src=x onerror=\"{TRAP}('img')\">",
    "trap-svg-slash-onload": f"<svg/onload={TRAP}('svg')>",
    "trap-svg-script-xlink": f"<svg><script xlink:href=\"data:,{TRAP}('svgx')\"></script></svg>",
    "trap-svg-foreignobject": '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>">'
    "</iframe></foreignObject></svg>",
    "trap-audio-onerror": f"<audio src=x onerror={TRAP}('audio')>",
    "trap-video-poster": "<video poster=javascript:alert(1)><source onerror=alert(1)></video>",
    "trap-marquee-onstart": f"<marquee onstart={TRAP}('marquee')>x</marquee>",
    "trap-div-markdown-attr": '<div markdown="1" onclick="alert(1)">**x**</div>',
    # Markdown links and images
    "md-image-onerror-breakout": f'![x](x" onerror="{TRAP}(1))',
    "md-image-onerror-no-space": '![x](https://a.example/x.png"onerror="alert(1))',
    "md-link-newline": "[x](java\nscript:alert(1))",
    "md-link-leading-spaces": "[x](   javascript:alert(1))",
    "md-link-data-mixed-case": "[x](DaTa:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-link-entity-colon": "[x](javascript&colon;alert(1))",
    "md-link-entity-tab": "[x](java&Tab;script:alert(1))",
    "md-link-padded-decimal": "[x](&#0000106;avascript:alert(1))",
    "md-link-zero-width-joiner": "[x](java\u200dscript:alert(1))",
    "md-reference-data": "[x][d]\n\n[d]: data:text/html,<script>alert(1)</script>",
    "md-autolink-mixed-case": f"<JaVaScRiPt:{TRAP}('auto')>",
    "md-autolink-vbscript": "<vbscript:msgbox(1)>",
    "md-bare-url-quote-breakout": 'https://a.example/"onmouseover="alert(1)',
    "html-a-newline-entity": '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    "html-a-leading-space": '<a href="  javascript:alert(1)">x</a>',
    # Comments that close early
    "comment-closes-at-once": "<!--><img src=x onerror=alert(1)>-->",
    "comment-bang-close": "<!-- --!><img src=x onerror=alert(1)>",
    "comment-three-dashes": "<!---><script>alert(1)</script>",
    # Embedding, forms, base, meta
    "iframe-data": f'<iframe src="data:text/html,<script>parent.{TRAP}(1)</script>"></iframe>',
    "object-data-html": '<object type="text/html" data="data:text/html,<script>alert(1)</script>">'
    "</object>",
    "embed-svg": '<embed src="data:image/svg+xml,<svg onload=alert(1)>" type="image/svg+xml">',
    "form-input-formaction": '<form><input type=submit formaction="javascript:alert(1)" value=go>'
    "</form>",
    "meta-refresh-data": '<meta http-equiv="refresh" content="0;url=data:text/html,'
    '<script>alert(1)</script>">',
    "base-target-top": '<base href="https://evil.example/" target="_top">',
    "link-import": '<link rel=import href="data:text/html,<script>alert(1)</script>">',
    # Style
    "style-import": "<style>@import 'javascript:alert(1)';</style>",
    "style-behavior": '<div style="behavior:url(#default#time2)" onbegin="alert(1)">x</div>',
    # Entity and Unicode tricks
    "fullwidth-img": "＜img src=x onerror=alert(1)＞",
    "rtl-override-link-text": "[\u202egnp.exe](javascript:alert(1))",
    "zero-width-in-attribute-name": "<img src=x o\u200bnerror=alert(1)>",
    # Nested quotes carrying HTML
    "nested-quote-html": "> a\n> > b\n> > > <img src=x onerror=alert(1)>\n"
    "> > > > <script>alert(1)</script>",
    "quote-then-raw-iframe": "> quoted\n<iframe src=javascript:alert(1)>",
    "nested-quote-link": "> > [x](javascript:alert(1))",
    # Mutation XSS and breaking out of the page's own elements
    "noscript-mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "textarea-breakout": "</textarea><img src=x onerror=alert(1)>",
    "title-breakout": "</title><script>alert(1)</script>",
    "template-mxss": "<template><img src=x onerror=alert(1)></template>",
    "math-href": '<math href="javascript:alert(1)">CLICK</math>',
}

# A hostile name for the author: it is shown on the board, the thread, search and in quotes.
HOSTILE_NAME = f"<img src=x onerror={TRAP}('name')>楼主"
MARKER = "测试载荷"  # a word in every post, for the search page
BOARD_SLUG = "xss-lab"
TITLE_EVERY = 5  # every fifth input is also a thread's title


def as_seed() -> AbstractContextManager:
    """Write test data the way demo data is written: not held for approval nor rate-limited
    (new accounts' limits, forum/trust.py), so that every post is shown to every visitor."""
    try:
        from forum.trust import waived
    except ImportError:  # before the trust levels exist
        return nullcontext()
    return waived()


@dataclass
class XssWorld:
    board_slug: str
    big_thread_id: int
    title_thread_ids: list[int] = field(default_factory=list)
    post_count: int = 0


def _source(key: str, payload: str) -> str:
    # The marker stands in a paragraph of its own so that the payload keeps its Markdown meaning.
    return f"{MARKER} {key}\n\n{payload}"


def seed(slug: str = BOARD_SLUG, email_prefix: str = "xss") -> XssWorld:
    """Store every input as a post, some as titles; quote hostile floors; hide one hostile post."""
    with as_seed():
        return _seed(slug, email_prefix)


def _seed(slug: str, email_prefix: str) -> XssWorld:
    board = services.create_board(slug, "<script>alert('board')</script>版块", "<b>描述</b>")
    author = accounts.create_user(f"{email_prefix}-author@example.com", HOSTILE_NAME, "password 1")
    quoter = accounts.create_user(f"{email_prefix}-quoter@example.com", "引用者", "password 2")
    admin = accounts.create_user(
        f"{email_prefix}-admin@example.com", "管理员", "password 3", roles={Role.ADMIN}
    )
    items = list(FORUM_HOSTILE_INPUTS.items())
    big = services.start_thread(board, author, items[0][1][:200], _source(*items[0]))
    floors = [services.reply(big, author, _source(key, payload)) for key, payload in items[1:]]
    # Quoting copies a hostile floor's text and its author's hostile name into a new post.
    for quoted in floors[::10]:
        services.reply(big, quoter, f"{MARKER} 引用", quote=quoted)
    moderation.hide_post(floors[0], admin, "<script>alert('reason')</script>广告")
    world = XssWorld(board_slug=slug, big_thread_id=big.id)
    for key, payload in items[::TITLE_EVERY]:
        thread = services.start_thread(board, author, payload[:200], _source(key, payload))
        world.title_thread_ids.append(thread.id)
    db.session.flush()
    world.post_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Post).join(Thread).where(Thread.board_id == board.id)
    )
    return world


def stored_posts(slug: str) -> list[Post]:
    return list(
        db.session.scalars(
            sa.select(Post).join(Thread).join(Board).where(Board.slug == slug).order_by(Post.id)
        )
    )


# --- what "no executable markup" means -------------------------------------------------------

# Never anywhere on a page (the app's own pages use no script at all: CSP allows only 'self').
FORBIDDEN_ON_PAGE = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
        "svg", "math", "template", "noscript", "portal",
    }
)  # fmt: skip
# Never inside a post's body (the page's own chrome has forms and styles links of its own).
FORBIDDEN_IN_POST = FORBIDDEN_ON_PAGE | {
    "form", "input", "button", "textarea", "select", "link", "meta", "style", "img",
    "video", "audio", "source", "marquee", "div", "span", "details", "body", "html", "title",
}  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href",
     "srcdoc", "content", "srcset", "ping", "codebase", "cite"}
)  # fmt: skip
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
# What browsers drop from a URL before reading its scheme: ASCII whitespace and C0 controls
# anywhere, and also the invisible format characters an attacker might hope they drop.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f\u200b-\u200f\u202a-\u202e\u2060\ufeff]")


def bad_url(value: str) -> bool:
    return bool(BAD_SCHEME.match(_INVISIBLE.sub("", value)))


class _Audit(HTMLParser):
    def __init__(self, forbidden: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.forbidden = forbidden
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.forbidden:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            elif name == "style":
                self.problems.append(f"<{tag} style=…>")
            elif name in URL_ATTRIBUTES and bad_url(value.split(";url=")[-1]):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>")
            elif tag == "meta" and name == "http-equiv":
                self.problems.append(f"<meta http-equiv={value!r}>")

    handle_startendtag = handle_starttag


def executable_markup(html: str, *, fragment: bool) -> list[str]:
    """What in ``html`` could run script or navigate by itself; empty when it is inert."""
    audit = _Audit(FORBIDDEN_IN_POST if fragment else FORBIDDEN_ON_PAGE)
    audit.feed(html)
    audit.close()
    return audit.problems
