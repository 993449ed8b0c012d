"""The people of the scale-out load test (``bench/scale_out.py``): consultants at work, anonymous
visitors, two editors saving the same person through different servers at the same moment, and
the judge of each such round. HTTP only, through ``loadclient``; no Django import here."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from loadclient import Browser, Form, RoundRobin, Stats, form_with, forms_of, sign_in

PASSWORD = "load-password-not-secret"  # noqa: S105 - synthetic accounts of a scratch database
SEARCH_TERMS = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "Dubois", "Lambert", "Martin", "boekhouder", "comptable", "engineer",
    "verpleegkundige", "magazijnier", "Jan", "Marie", "Sofie",
]  # fmt: skip
FILTERS = [
    {"function": "engineer", "language": "fr", "min_level": "B1"},
    {"language": "nl", "min_level": "B2"},
    {"function": "boekhouder"},
]
CANDIDATE_LINK = re.compile(r'href="/candidates/(\d+)/"')
VACANCY_LINK = re.compile(r'href="/vacancies/(\d+)/"')


@dataclass
class Load:
    """Who is on the site. Everyone signs in first (timed apart, in ``sign_ins``); the clock of
    ``duration`` starts when the last one is ready, so the figures are of steady work."""

    rr: RoundRobin
    stats: Stats
    duration: float
    stop: threading.Event
    think: float
    contested: int
    visitor_urls: list[str]
    people: int  # threads that wait for the start
    on_start: Callable[[], None] = lambda: None  # run once, when the clock starts
    sign_ins: Stats = field(default_factory=Stats)
    run: str = field(default_factory=lambda: time.strftime("%Y%m%d-%H%M%S"))
    started: float = 0.0
    deadline: float = 0.0
    general_conflicts: int = 0
    edits_saved: int = 0
    rounds: list[str] = field(default_factory=list)  # "ok" or what went wrong
    problems: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ready: threading.Barrier = field(init=False)

    def __post_init__(self) -> None:
        self._ready = threading.Barrier(self.people, action=self._start_clock)

    def _start_clock(self) -> None:
        self.on_start()
        self.started = time.monotonic()
        self.deadline = self.started + self.duration

    def begin(self) -> bool:
        """Wait until everyone is signed in; False when the run was stopped meanwhile."""
        try:
            self._ready.wait()
        except threading.BrokenBarrierError:
            return False
        return True

    def abort(self) -> None:
        self.stop.set()
        self._ready.abort()

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline

    def pause(self, rng: random.Random) -> None:
        if self.think:
            self.stop.wait(rng.uniform(0, 2 * self.think))

    # A consultant's working day, compressed.
    def consultant(self, username: str, seed: int) -> None:
        rng = random.Random(seed)
        browser = Browser(self.rr, self.sign_ins)
        signed_in = sign_in(browser, username, PASSWORD)
        browser.stats = self.stats
        if not (self.begin() and signed_in):
            return
        people: list[int] = []
        vacancies: list[int] = []
        flows: list[tuple[Callable[[], None], int]] = []

        def dashboard() -> None:
            browser.get("/", route="dashboard")

        def listing() -> None:
            page = browser.get(f"/candidates/?page={rng.randint(1, 20)}", route="candidate list")
            if page:
                people[:] = [int(i) for i in CANDIDATE_LINK.findall(page.body)] or people

        def search() -> None:
            query = {"q": rng.choice(SEARCH_TERMS)} if rng.random() < 0.7 else rng.choice(FILTERS)
            page = browser.get(f"/candidates/?{urlencode(query)}", route="candidate search")
            if page:
                people[:] = [int(i) for i in CANDIDATE_LINK.findall(page.body)] or people

        def dossier() -> None:
            if not people:
                return listing()
            # 404: erased by the retention sweep meanwhile
            browser.get(f"/candidates/{rng.choice(people)}/", route="dossier", expect=(200, 404))

        def edit() -> None:
            choices = [p for p in people if p != self.contested]
            if not choices:
                return listing()
            self.edit_person(browser, rng.choice(choices), rng)

        def vacancy_list() -> None:
            page = browser.get("/vacancies/", route="vacancy list")
            if page:
                vacancies[:] = [int(i) for i in VACANCY_LINK.findall(page.body)] or vacancies

        def vacancy() -> None:
            if not vacancies:
                return vacancy_list()
            browser.get(f"/vacancies/{rng.choice(vacancies)}/", route="vacancy")

        flows = [
            (dashboard, 1),
            (listing, 2),
            (search, 3),
            (dossier, 4),
            (edit, 1),
            (vacancy_list, 1),
            (vacancy, 1),
        ]
        actions, weights = zip(*flows, strict=True)
        while self.running():
            rng.choices(actions, weights)[0]()
            self.pause(rng)
        browser.close()

    def edit_person(self, browser: Browser, person: int, rng: random.Random) -> None:
        url = f"/people/{person}/edit/"
        page = browser.get(url, route="person edit (form)", expect=(200, 404))
        form = form_with(page.body, "updated_at") if page and page.status == 200 else None
        if form is None:
            return
        form.values["contact_times"] = f"after {rng.randint(8, 18)}:00 (load {rng.random():.6f})"
        answer = browser.post(url, form.values, route="person save", expect=(200, 302, 404))
        with self._lock:
            if answer and answer.status == 302:
                self.edits_saved += 1
            elif answer and answer.status == 200:
                if 'role="alert"' in answer.body:  # stale (two on one person) or erased meanwhile
                    self.general_conflicts += 1
                else:
                    self.problems.append(f"edit of person {person} refused without a reason")

    def visitor(self, seed: int) -> None:
        rng = random.Random(seed)
        if not self.begin():
            return
        while self.running():
            browser = Browser(self.rr, self.stats)  # each visit a new, cookie-less visitor
            url = rng.choice(self.visitor_urls)
            browser.get(url, route=f"visitor {url}", expect=(200, 302))
            browser.close()
            self.pause(rng)

    # Two editors, one person, two servers, the same moment.
    def contested_rounds(self, editors: tuple[str, str], check: Callable[[int], str]) -> None:
        a, b = Browser(self.rr, self.sign_ins), Browser(self.rr, self.sign_ins)
        signed_in = sign_in(a, editors[0], PASSWORD) and sign_in(b, editors[1], PASSWORD)
        a.stats = b.stats = self.stats
        if not self.begin():
            return
        if not signed_in:
            self.rounds.append("editors could not sign in")
            return
        url = f"/people/{self.contested}/edit/"
        n = 0
        while self.running():
            n += 1
            servers = (0, 1) if n % 2 else (1, 0)
            forms: list[Form] = []
            for browser, server in zip((a, b), servers, strict=True):
                page = browser.get(url, route="contested edit (form)", server=server)
                form = form_with(page.body, "updated_at") if page else None
                if form is None:
                    self.rounds.append(f"round {n}: no edit form")
                    return
                forms.append(form)
            # Unique to this run: a text equal to the stored one would be no change at all
            # (saved without a version check, as there is nothing to lose).
            typed = [f"scale-out {self.run} round {n}: {name}" for name in editors]
            answers = save_together(url, (a, b), forms, servers, typed)
            self.rounds.append(judge_round(n, answers, typed, check))
            self.stop.wait(0.5)
        a.close()
        b.close()


def save_together(
    url: str,
    browsers: Sequence[Browser],
    forms: Sequence[Form],
    servers: Sequence[int],
    typed: Sequence[str],
) -> list[Any]:
    """Each browser posts its form with its own notes, all released at the same moment."""
    answers: list[Any] = [None] * len(browsers)
    barrier = threading.Barrier(len(browsers))

    def save(i: int) -> None:
        forms[i].values["notes"] = typed[i]
        barrier.wait()
        answers[i] = browsers[i].post(
            url, forms[i].values, route="contested save", expect=(200, 302), server=servers[i]
        )

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def logout_reaches_every_server(
    rr: RoundRobin, stats: Stats, username: str, password: str = PASSWORD
) -> str:
    """Sign in, open the dashboard on every server (each caches the session), sign out on the
    first: the others must no longer know the session. With a per-process cache instead of
    the shared one, a server would keep serving the signed-out session from its own cache.
    Returns "" or what went wrong."""
    browser = Browser(rr, stats)
    if not sign_in(browser, username, password, server=0):
        return "logout check: could not sign in"
    pages = [browser.get("/", route="dashboard", server=i) for i in range(len(rr.servers))]
    page = pages[0]
    logout = (
        next((f for f in forms_of(page.body) if f.action == "/logout/"), None) if page else None
    )
    if logout is None:
        return "logout check: no sign-out form on the dashboard"
    browser.post("/logout/", logout.values, route="log-out", expect=(200, 302), server=0)
    for i in range(1, len(rr.servers)):
        # a back-office page, not the root (which shows anonymous visitors the public site)
        after = browser.get("/candidates/", route="candidates", expect=(302,), server=i)
        if after is None or not after.redirect_path.startswith("/login/"):
            return f"logout check: server {i + 1} still served the signed-out session"
    return ""


def judge_round(n: int, answers: Sequence[Any], typed: Sequence[str], stored: Any) -> str:
    """ "ok" when exactly one save won, the other was refused as stale with what its editor
    typed still in the form, and the database holds the winner's notes; else what went wrong."""
    if any(answer is None for answer in answers):
        return f"round {n}: a save got no answer"
    won = [i for i, answer in enumerate(answers) if answer.status == 302]
    refused = [
        i
        for i, answer in enumerate(answers)
        if answer.status == 200 and 'role="alert"' in answer.body
    ]
    if len(won) != 1 or len(refused) != 1:
        statuses = [answer.status for answer in answers]
        return f"round {n}: expected one save and one refusal, got {statuses}"
    kept = form_with(answers[refused[0]].body, "updated_at")
    if kept is None or kept.values.get("notes") != typed[refused[0]]:
        return f"round {n}: the refused editor's text was not kept in the form"
    now = stored()
    if now != typed[won[0]]:
        return f"round {n}: LOST UPDATE, stored notes {now!r}, winner typed {typed[won[0]]!r}"
    return "ok"
