"""What a page view may say, reduced before anything is counted (R1.5).

Each function takes what the browser sent and returns the class we count, or raises
``Rejected`` with a reason the endpoint sends back. Nothing here keeps the raw input: the
full URL, the query string, the exact screen width and the browser string are read and dropped.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from candor.stats.models import ADDRESS, DIRECT, INTERNAL, BrowserFamily, ScreenClass

PUBLIC_PREFIX = "/public/"
MAX_PAGE = 200
MAX_REFERRER = 2000
_HOST = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")

# Automated clients: counted by nobody. Headless browsers (HeadlessChrome) are automation too.
_BOT = re.compile(
    r"bot|crawl|spider|slurp|archiver|headless|phantomjs|lighthouse|pingdom|monitor|preview|"
    r"facebookexternalhit|python|curl|wget|httpclient|okhttp|java/|go-http|libwww|scrapy|axios",
    re.IGNORECASE,
)

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari".
_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Edg(e|A|iOS)?/"), BrowserFamily.EDGE),
    (re.compile(r"OPR/|Opera"), BrowserFamily.OPERA),
    (re.compile(r"SamsungBrowser/"), BrowserFamily.SAMSUNG),
    (re.compile(r"Firefox/|FxiOS/"), BrowserFamily.FIREFOX),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), BrowserFamily.CHROME),
    (re.compile(r"Version/[\d.]+.*Safari/"), BrowserFamily.SAFARI),
)


class Rejected(ValueError):
    """The page view is malformed; the message says what is wrong (sent back with a 400)."""


@dataclass(frozen=True, slots=True)
class View:
    page: str
    referrer: str
    screen: str
    browser: str


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(_BOT.search(user_agent))


def browser_family(user_agent: str) -> str:
    for pattern, family in _FAMILIES:
        if pattern.search(user_agent):
            return str(family)
    return str(BrowserFamily.OTHER)


def screen_class(value: object) -> str:
    if value is None or value == "":
        return str(ScreenClass.UNKNOWN)
    if not isinstance(value, str) or value not in ScreenClass.values:
        raise Rejected(f"screen must be one of {', '.join(ScreenClass.values)}")
    return value


def _route_of(path: str) -> str:
    """The path to count: public ids kept, anything else a URL carries replaced by its name.

    A token in a self-service link, or a request number in ``/public/my/``, would let whoever
    reads the figures point at one person's visit, so only the public site's integer ids (a
    vacancy) survive, and outside it no parameter at all.
    """
    try:
        match = resolve(path)
    except Resolver404:
        raise Rejected("page is not a page of this site") from None
    if not match.kwargs and not match.args:
        return path
    public = match.namespaces[:1] == ["web"]
    route = "/" + str(match.route)
    for name, value in match.kwargs.items():
        keep = public and isinstance(value, int)
        route = re.sub(rf"<(?:\w+:)?{re.escape(name)}>", str(value) if keep else f"<{name}>", route)
    return route


def page_of(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise Rejected("page is required: the path of the page viewed")
    path = urlsplit(value).path if value.startswith("/") and not value.startswith("//") else ""
    if not path or len(path) > MAX_PAGE or not _PATH.match(path):
        raise Rejected("page must be a path on this site, starting with a single '/'")
    if not path.startswith(PUBLIC_PREFIX):
        raise Rejected("page must be a page of the public site (under /public/)")
    return _route_of(path)[:MAX_PAGE]


def referrer_of(value: object, *, own_host: str) -> str:
    if value is None or value == "":
        return DIRECT
    if not isinstance(value, str) or len(value) > MAX_REFERRER:
        raise Rejected("referrer must be an address of at most 2000 characters, or empty")
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        raise Rejected("referrer is not a valid address") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise Rejected("referrer must be an http or https address, or empty")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:  # a bare address may be someone's own machine: counted, never named
        return ADDRESS
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise Rejected("referrer has an invalid domain name") from None
    if not _HOST.match(host) or len(host) > 253:
        raise Rejected("referrer has an invalid domain name")
    if host == own_host.lower().rstrip("."):
        return INTERNAL
    return host.removeprefix("www.")


def view_of(payload: object, *, user_agent: str, own_host: str) -> View:
    if not isinstance(payload, dict):
        raise Rejected("send a JSON object with page, referrer and screen")
    unknown = set(payload) - {"page", "referrer", "screen"}
    if unknown:
        raise Rejected(f"unknown fields: {', '.join(sorted(unknown))}")
    return View(
        page=page_of(payload.get("page")),
        referrer=referrer_of(payload.get("referrer"), own_host=own_host),
        screen=screen_class(payload.get("screen")),
        browser=browser_family(user_agent),
    )
