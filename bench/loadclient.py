"""A small HTTP load client in the standard library: a browser-like cookie jar over several
servers (round-robin), the forms of a page as a browser would send them, signing in through the
normal log-in form, and latency figures per route class.

Used by ``bench/scale_out.py``; no Django import here, so it runs against any server.

To add a step to signing in (a second factor, say a TOTP code after the password), change
``sign_in`` only: every simulated consultant signs in through it.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

Server = tuple[str, int]
TIMEOUT = 120.0  # seconds; a request slower than this counts as a connection error


def parse_server(text: str) -> Server:
    """``"127.0.0.1:8001"`` → ``("127.0.0.1", 8001)``."""
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


class RoundRobin:
    """Hands out the servers in turn, shared by all threads (what a round-robin proxy does)."""

    def __init__(self, servers: Sequence[Server]) -> None:
        if not servers:
            raise ValueError("at least one server is needed")
        self.servers = list(servers)
        self._next = itertools.cycle(range(len(self.servers)))
        self._lock = threading.Lock()

    def pick(self) -> int:
        with self._lock:
            return next(self._next)


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(share * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True, slots=True)
class Sample:
    route: str
    server: int
    status: int  # 0: no answer (connection refused, reset, timed out)
    ms: float
    expected: bool


@dataclass
class Stats:
    """Every request's route class, server, status and time; thread-safe."""

    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, problem: str = "") -> None:
        with self._lock:
            self.samples.append(sample)
            if problem and len(self.problems) < 50:
                self.problems.append(problem)

    def note(self, problem: str) -> None:
        with self._lock:
            if len(self.problems) < 50:
                self.problems.append(problem)

    @property
    def failures(self) -> list[Sample]:
        """Answers that count as errors: none at all, any 5xx, or a status the flow did not
        expect (a 403 or 400 where the page should have worked)."""
        return [s for s in self.samples if s.status == 0 or s.status >= 500 or not s.expected]

    def table(self, seconds: float) -> list[tuple[str, int, float, float, float, float, int]]:
        """Rows (route, requests, req/s, p50 ms, p95 ms, p99 ms, errors), then a total."""
        by_route: dict[str, list[Sample]] = defaultdict(list)
        for sample in self.samples:
            by_route[sample.route].append(sample)
        failed = set(map(id, self.failures))
        rows = []
        for route, samples in [*sorted(by_route.items()), ("all", self.samples)]:
            times = sorted(s.ms for s in samples)
            rows.append(
                (
                    route,
                    len(samples),
                    len(samples) / seconds if seconds else 0.0,
                    percentile(times, 0.50),
                    percentile(times, 0.95),
                    percentile(times, 0.99),
                    sum(1 for s in samples if id(s) in failed),
                )
            )
        return rows

    def by_server(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for sample in self.samples:
            counts[sample.server] += 1
        return dict(counts)


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    location: str
    body: str

    @property
    def redirect_path(self) -> str:
        return urlsplit(self.location).path if self.location else ""


class Browser:
    """One person's browser: a cookie jar and one connection per server. Requests go to the
    next server of the shared round-robin unless a server is named; cookies (session, CSRF)
    travel with every request, so a session started on one server is used on the other."""

    def __init__(self, rr: RoundRobin, stats: Stats, *, language: str = "en") -> None:
        self.rr = rr
        self.stats = stats
        self.language = language
        self.cookies: dict[str, str] = {}
        self._connections: dict[int, http.client.HTTPConnection] = {}

    def _connection(self, server: int) -> http.client.HTTPConnection:
        if server not in self._connections:
            host, port = self.rr.servers[server]
            self._connections[server] = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        return self._connections[server]

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def request(
        self,
        method: str,
        path: str,
        *,
        route: str,
        expect: Iterable[int] = (200,),
        form: dict[str, str] | None = None,
        server: int | None = None,
    ) -> Response | None:
        """Send one request and record it; None when no answer came (already recorded)."""
        index = self.rr.pick() if server is None else server
        host, port = self.rr.servers[index]
        headers = {"Accept-Language": self.language, "Host": f"{host}:{port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks the origin of unsafe requests against the host.
            headers["Origin"] = f"http://{host}:{port}"
        connection = self._connection(index)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            ms = (time.perf_counter() - started) * 1000
            self.stats.add(
                Sample(route, index, 0, ms, False),
                f"{method} {path} on server {index + 1}: {type(exc).__name__} {exc}",
            )
            return None
        ms = (time.perf_counter() - started) * 1000
        for header in answer.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        allowed = set(expect)
        ok = answer.status in allowed
        problem = "" if ok else f"{method} {path} on server {index + 1}: {answer.status}"
        self.stats.add(Sample(route, index, answer.status, ms, ok), problem)
        return Response(answer.status, answer.headers.get("Location", ""), content.decode())

    def get(self, path: str, **kwargs: object) -> Response | None:
        return self.request("GET", path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, form: dict[str, str], **kwargs: object) -> Response | None:
        return self.request("POST", path, form=form, **kwargs)  # type: ignore[arg-type]


@dataclass
class Form:
    action: str
    method: str
    values: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page with what a browser would send unchanged: inputs (hidden ones
    included, checkboxes and radios only when checked), selected options, text areas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "image"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    form.values[name] = a.get("value", "on")
            else:
                form.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
                form.values.setdefault(self._select, value)
            if "selected" in a:
                form.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            # Django starts a textarea with a newline that browsers drop.
            current = self._form.values[self._textarea]
            self._form.values[self._textarea] = current + (
                data if current else data.removeprefix("\n")
            )


def forms_of(page: str) -> list[Form]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def form_with(page: str, field_name: str) -> Form | None:
    """The first form of the page that has a field ``field_name``."""
    return next((f for f in forms_of(page) if field_name in f.values), None)


def sign_in(
    browser: Browser,
    username: str,
    password: str,
    *,
    server: int | None = None,
    second_factor: Callable[[Browser, Response], Response | None] | None = None,
) -> bool:
    """Sign in through the normal log-in form (GET for the CSRF token, POST the credentials),
    as a person would. ``second_factor`` answers a further step when the log-in asks for one
    (e.g. a TOTP code); it gets the answer to the password POST. True once signed in."""
    page = browser.get("/login/", route="log-in", server=server)
    form = form_with(page.body, "password") if page else None
    if form is None:
        browser.stats.note(f"no log-in form for {username}")
        return False
    form.values.update(username=username, password=password)
    answer = browser.post(
        form.action or "/login/", form.values, route="log-in", expect=(200, 302), server=server
    )
    if answer is not None and answer.status == 200 and second_factor is not None:
        answer = second_factor(browser, answer)
    if answer is None or answer.status != 302:
        browser.stats.note(f"log-in of {username} refused")
        return False
    return True
