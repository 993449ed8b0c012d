"""Scale-out load test: two app servers, one PostgreSQL, one Redis, one worker, for a bounded time.

    uv run --frozen python bench/scale_out.py [--duration 60] [--consultants 8] [--visitors 4]
        [--candidates 20000] [--database-url postgres://postgres@127.0.0.1:5432/candor_scale]
        [--redis-url redis://127.0.0.1:6379/7] [--ports 8101,8102] [--server-workers 2]
        [--visitor-urls /public/,/public/vacancies/,/public/privacy/,/login/] [--fresh]

What it does, in order:

1. creates the database if missing (``--fresh``: drops it first; it refuses the test and
   benchmark databases), migrates it, loads the demo data set (offices, clients, vacancies,
   procedures) and ``--candidates`` generated candidates (``bench/generate.py``), and builds
   the search index; a database already filled that far is reused as it is;
2. adds ``--consultants`` consultant accounts (``load-consultant-NN``) and two editors
   (``load-editor-a``/``-b``), all signing in through the normal log-in form;
3. starts two ``candor serve`` processes (gunicorn) on ``--ports`` with production settings
   (``CANDOR_ENV=production``, ``DEBUG`` off, sessions and throttles in the shared Redis cache
   ``CANDOR_REDIS_URL``); everyone signs in (timed apart); then one ``candor worker`` starts
   with the clock (today's daily jobs are forgotten first, so the worker does a day's work —
   retention sweep, notices — while the load runs);
4. for ``--duration`` seconds, round-robin over the two servers: consultants open the dashboard,
   list and search candidates, open dossiers, edit people through the form, open vacancies;
   anonymous visitors open ``--visitor-urls``; and two editors open the SAME person's form
   through different servers and save different notes at the same moment, round after round;
5. checks: no request failed (no answer, any 5xx, or a status the flow did not expect); in each
   contested round exactly one save won, the other got the stale-edit refusal with what it
   typed still in the form, and the stored notes are the winner's (no lost update), and the
   audit trail holds exactly one update by the editors per round; the worker finished today's
   daily jobs (``JobRun`` rows, no error); ``candor audit verify`` passes.

It prints a table (requests, req/s, p50/p95/p99 per route class) and exits 1 on any failure.
Processes it started are stopped on exit, also on Ctrl-C. Server and worker logs are written
to ``--data-dir``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from load_scenario import PASSWORD, Load, logout_reaches_every_server
from loadclient import Browser, RoundRobin, Stats, percentile

BENCH = Path(__file__).resolve().parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/candor_scale"
REFUSED_DATABASES = ("candor_test", "candor_bench")
# A scratch database's keys, the same for every process (servers, worker, this script), so a
# session signed on one server is valid on the other. Never used outside this benchmark.
BENCH_SECRET = "scale-out-bench-secret-key-not-for-production-0123456789abcdef"  # noqa: S105


# -- configuration ---------------------------------------------------------------------------


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """The environment of every process: production settings on the scratch database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "candor.settings",
        "DATABASE_URL": args.database_url,
        "CANDOR_ENV": "production",
        "CANDOR_SSL_REDIRECT": "false",  # plain HTTP on loopback: no TLS proxy in front
        "CANDOR_DEBUG": "false",
        "CANDOR_SECRET_KEY": BENCH_SECRET,
        "CANDOR_SUPPRESSION_KEY": BENCH_SECRET,
        # a fixed master key for this scratch database (production refuses to run without one)
        "CANDOR_MASTER_KEY": base64.b64encode(
            hashlib.sha256(BENCH_SECRET.encode()).digest()
        ).decode(),
        "CANDOR_EMAIL_URL": "dummy://",
        "CANDOR_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CANDOR_REDIS_URL": args.redis_url,
        "CANDOR_CACHE_PREFIX": "candor-scale",
        "CANDOR_DATA_DIR": str(args.data_dir),
        "CANDOR_MEDIA_DIR": str(args.data_dir / "media"),
        "CANDOR_LOG_LEVEL": "WARNING",
    }


def database_name(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("--database-url must be a PostgreSQL URL (postgres://…)")
    name = parts.path.lstrip("/")
    if not name or name.startswith(REFUSED_DATABASES):
        raise SystemExit(f"refusing database {name!r}: use a scratch database such as candor_scale")
    return name


def prepare_database(args: argparse.Namespace) -> None:
    """Create (or with --fresh recreate) the scratch database on the server of the URL."""
    import psycopg

    name = database_name(args.database_url)
    admin_url = urlsplit(args.database_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and args.fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def run(cmd: Sequence[str], env: dict[str, str], what: str) -> None:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    print(f"{what}: {time.perf_counter() - started:.1f} s")


def seed(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Demo data set (vacancies, clients, procedures) once, then generated candidates up to
    ``--candidates``, then the search index. The demo command refuses production settings, so
    it alone runs with development ones (same database, same keys)."""
    candor = [sys.executable, "-m", "candor.cli"]
    run([*candor, "demo", "--no-serve"], {**env, "CANDOR_ENV": "development"}, "demo data")
    import django

    django.setup()
    from candor.people.models import Person

    have = Person.objects.filter(is_candidate=True).count()
    missing = args.candidates - have
    if missing > 0:
        run(
            [sys.executable, str(BENCH / "generate.py"), "--count", str(missing)],
            env,
            f"{missing:,} generated candidates",
        )
        run([*candor, "search", "rebuild"], env, "search index")
    print(f"{Person.objects.filter(is_candidate=True).count():,} candidates in the database")


def accounts(args: argparse.Namespace) -> tuple[list[str], tuple[str, str]]:
    """The consultants' and the two editors' user names (created once, password reset)."""
    from django.contrib.auth.hashers import make_password

    from candor.accounts.models import Role, User

    names = [f"load-consultant-{n:02d}" for n in range(1, args.consultants + 1)]
    editors = ("load-editor-a", "load-editor-b")
    hashed = make_password(PASSWORD)
    for name in [*names, *editors]:
        User.objects.update_or_create(
            username=name,
            defaults={
                "role": Role.CONSULTANT,
                "password": hashed,
                "first_name": "Load",
                "last_name": name.rsplit("-", 1)[-1].title(),
                "is_active": True,
            },
        )
    return names, editors


def contested_person() -> int:
    """A candidate nobody else edits and no retention job touches during the run."""
    from candor.core import clock
    from candor.people.models import Person

    far = clock.today() + dt.timedelta(days=3 * 365)
    person = (
        Person.objects.filter(is_candidate=True, erased_at=None, kept_until__gt=far)
        .order_by("pk")
        .first()
    )
    if person is None:
        raise SystemExit("no candidate to edit concurrently: seed the database first")
    return person.pk


def forget_todays_jobs() -> None:
    """So the worker does a day's work during the load (scratch database only)."""
    from candor.core import clock
    from candor.privacy.models import JobRun

    JobRun.objects.filter(day=clock.today()).delete()


# -- processes -------------------------------------------------------------------------------


@dataclass
class Processes:
    """The servers and the worker this script started; stopped by process group on exit."""

    started: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    def start(self, name: str, cmd: Sequence[str], env: dict[str, str], log: Path) -> None:
        out = log.open("wb")
        proc = subprocess.Popen(  # noqa: S603
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, proc, out))

    def alive(self, name: str) -> bool:
        return any(n == name and p.poll() is None for n, p, _ in self.started)

    def stop(self, name: str | None = None, timeout: float = 30) -> None:
        for n, proc, out in list(self.started):
            if name is not None and n != name:
                continue
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # its own group: gunicorn and its workers
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            out.close()
            self.started.remove((n, proc, out))


def wait_until_up(rr: RoundRobin, seconds: float = 90) -> None:
    """Each server answers the log-in page (the probe is not counted in the figures)."""
    probe = Stats()
    for index in range(len(rr.servers)):
        deadline = time.monotonic() + seconds
        while True:
            answer = Browser(rr, probe).get("/login/", route="probe", server=index)
            if answer is not None and answer.status == 200:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"server {rr.servers[index]} did not come up: {probe.problems}")
            time.sleep(0.5)


# -- checks after the load ---------------------------------------------------------------------


def stored_notes(person: int) -> Callable[[], str]:
    def read() -> str:
        from django.db import connection

        from candor.people.models import Person

        try:
            return Person.objects.values_list("notes", flat=True).get(pk=person)
        finally:
            connection.close()  # this runs in the editors' thread

    return read


def editor_updates(person: int, editors: Sequence[str]) -> int:
    from candor.accounts.models import User
    from candor.audit.models import AuditEvent
    from candor.people.models import Person

    pseudonym = str(Person.objects.get(pk=person).pseudonym)
    users = User.objects.filter(username__in=editors).values_list("pk", flat=True)
    actors = [f"staff:{pk}" for pk in users]
    return AuditEvent.objects.filter(action="update", subject=pseudonym, actor__in=actors).count()


def wait_for_jobs(processes: Processes, seconds: float) -> list[str]:
    """Today's daily jobs as the worker recorded them; waits up to ``seconds`` for them all to
    finish. Returns problems (a job missing, unfinished or failed)."""
    from candor.core import clock
    from candor.privacy.jobs import DAILY_JOBS
    from candor.privacy.models import JobRun

    deadline = time.monotonic() + seconds
    while True:
        runs = {r.job: r for r in JobRun.objects.filter(day=clock.today())}
        done = all(job in runs and runs[job].finished_at for job in DAILY_JOBS)
        if done or time.monotonic() > deadline or not processes.alive("worker"):
            break
        time.sleep(2)
    problems = []
    for job in DAILY_JOBS:
        ran = runs.get(job)
        if ran is None:
            problems.append(f"worker: {job} did not run")
        elif ran.finished_at is None:
            problems.append(f"worker: {job} still running after the wait")
        elif "error" in ran.outcome:
            problems.append(f"worker: {job} failed: {ran.outcome}")
        else:
            took = (ran.finished_at - ran.started_at).total_seconds()
            print(f"  worker job {job:22} done in {took:6.1f} s  {ran.outcome}")
    return problems


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


def report(stats: Stats, seconds: float) -> None:
    print(
        f"\n{'route':34} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6}"
    )
    for route, count, rate, p50, p95, p99, errors in stats.table(seconds):
        print(f"{route:34} {count:8} {rate:7.1f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {errors:6}")


# -- main --------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--consultants", type=int, default=8)
    parser.add_argument("--visitors", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.2, help="mean pause between clicks, s")
    parser.add_argument("--ports", default="8101,8102", help="two ports for the two servers")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn workers each")
    parser.add_argument(
        "--visitor-urls",
        default="/public/,/public/vacancies/,/public/privacy/,/login/",
        help="comma-separated pages anonymous visitors open (200 or a redirect expected)",
    )
    parser.add_argument("--worker-wait", type=float, default=300.0, help="s to wait for jobs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "candor-scale"
    )
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir.resolve()
    ports = [int(p) for p in args.ports.split(",") if p.strip()]
    if len(ports) != 2:
        parser.error("--ports takes two ports")
    args.servers = [("127.0.0.1", port) for port in ports]
    args.visitor_urls = [u.strip() for u in args.visitor_urls.split(",") if u.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CANDOR_", "DATABASE_"))})
    os.environ["DJANGO_SETTINGS_MODULE"] = "candor.settings"

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a shell may start us ignoring it
        signal.signal(sig, terminate)
    processes = Processes()
    try:
        return scale_out(args, env, processes)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the servers and the worker")
        return 130
    finally:
        processes.stop()


def scale_out(args: argparse.Namespace, env: dict[str, str], processes: Processes) -> int:
    print(f"before: {load_average()}")
    prepare_database(args)
    seed(args, env)
    consultants, editors = accounts(args)
    person = contested_person()
    updates_before = editor_updates(person, editors)
    forget_todays_jobs()
    start_servers(args, env, processes)
    rr = RoundRobin(args.servers)
    wait_until_up(rr)
    print(
        f"two servers on ports {args.ports} ({args.server_workers} gunicorn workers each), one "
        f"worker; {len(consultants)} consultants, {args.visitors} visitors, two editors on "
        f"person #{person}, {args.duration:g} s"
    )
    load, seconds = run_load(
        args,
        rr,
        consultants=consultants,
        editors=editors,
        person=person,
        on_start=lambda: start_worker(args, env, processes),
    )
    print(f"during: {load_average()}")
    failures = check_load(args, load, seconds)
    if problem := logout_reaches_every_server(rr, Stats(), consultants[0]):
        failures.append(problem)
    else:
        print("signing out on server 1 ended the session on server 2 (shared cache)")
    updates = editor_updates(person, editors) - updates_before
    won = load.rounds.count("ok")
    if updates != won:
        failures.append(f"audit trail: {updates} updates by the editors for {won} won rounds")

    for n in range(1, len(args.servers) + 1):
        processes.stop(f"server {n}")
    failures += wait_for_jobs(processes, args.worker_wait)
    processes.stop("worker")
    verify = subprocess.run(
        [sys.executable, "-m", "candor.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"candor audit verify: {(verify.stdout + verify.stderr).strip()}")
    if verify.returncode != 0:
        failures.append("audit verify failed")
    print(f"after: {load_average()}")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nOK: no errors, no lost update, worker ran, audit trail intact")
    return 0


def start_servers(args: argparse.Namespace, env: dict[str, str], processes: Processes) -> None:
    for n, (host, port) in enumerate(args.servers, start=1):
        processes.start(
            f"server {n}",
            [sys.executable, "-m", "candor.cli", "serve", "--bind", f"{host}:{port}",
             "--workers", str(args.server_workers), "--no-checks"],
            env,
            args.data_dir / f"server-{n}.log",
        )  # fmt: skip


def start_worker(args: argparse.Namespace, env: dict[str, str], processes: Processes) -> None:
    """The worker starts with the load, so the day's jobs run while people work."""
    processes.start(
        "worker",
        [sys.executable, "-m", "candor.cli", "worker", "--interval", "5"],
        env,
        args.data_dir / "worker.log",
    )


def run_load(
    args: argparse.Namespace,
    rr: RoundRobin,
    *,
    consultants: Sequence[str],
    editors: tuple[str, str],
    person: int,
    on_start: Callable[[], None],
) -> tuple[Load, float]:
    """Everyone at once for ``--duration`` seconds; the load and the seconds it took."""
    people = len(consultants) + args.visitors + 1
    load = Load(
        rr,
        Stats(),
        args.duration,
        threading.Event(),
        args.think,
        person,
        args.visitor_urls,
        people,
        on_start=on_start,
    )
    threads = [
        threading.Thread(target=load.consultant, args=(name, args.seed * 1000 + i), daemon=True)
        for i, name in enumerate(consultants)
    ]
    threads += [
        threading.Thread(target=load.visitor, args=(args.seed * 2000 + i,), daemon=True)
        for i in range(args.visitors)
    ]
    threads.append(
        threading.Thread(
            target=load.contested_rounds, args=(editors, stored_notes(person)), daemon=True
        )
    )
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    except KeyboardInterrupt:
        load.abort()
        raise
    return load, time.monotonic() - load.started


def check_load(args: argparse.Namespace, load: Load, seconds: float) -> list[str]:
    """Print the figures; the failures among them."""
    failures: list[str] = []
    stats = load.stats
    signed = sorted(s.ms for s in load.sign_ins.samples if s.route == "log-in")
    print(
        f"\nsign-in first, all at once, not in the figures below: {len(signed)} log-in requests, "
        f"p50 {percentile(signed, 0.5):.0f} ms, max {signed[-1] if signed else 0:.0f} ms, "
        f"{len(load.sign_ins.failures)} failed"
    )
    if load.sign_ins.failures:
        failures.append(f"{len(load.sign_ins.failures)} failed log-in requests")
        for problem in load.sign_ins.problems:
            print(f"  problem: {problem}")
    report(stats, seconds)
    served = stats.by_server()
    print(
        "requests per server: "
        + ", ".join(f"server {i + 1}: {served.get(i, 0)}" for i in range(len(args.servers)))
    )
    if len(served) < len(args.servers):
        failures.append("not every server answered requests")
    for problem in stats.problems:
        print(f"  problem: {problem}")
    if stats.failures:
        failures.append(f"{len(stats.failures)} failed requests")
    bad_rounds = [r for r in load.rounds if r != "ok"]
    print(
        f"contested edits: {len(load.rounds)} rounds, {load.rounds.count('ok')} with exactly one "
        f"winner, one stale-edit refusal and the winner's text stored; other edits: "
        f"{load.edits_saved} saved, {load.general_conflicts} refused (stale or erased meanwhile)"
    )
    failures += bad_rounds + load.problems
    if not load.rounds:
        failures.append("no contested round ran")
    return failures


if __name__ == "__main__":
    sys.exit(main())
