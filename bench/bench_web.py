"""Public pages under load, measured from outside: gunicorn (4 workers, 2 per core on the reference machine)
on PostgreSQL with `seed-demo --scale 10` and Redis as the cache, driven by wrk at 1, 10 and 50 connections.
Each page is compared with a bare Django view served by the same gunicorn in the same run, `/health/`,
which goes through the whole middleware stack but reads nothing.

Pages: the home page, a Gathering's page and its programme as someone not signed in (kept in the page
cache, core/pagecache.py), My Gatherings and the programme signed in, and the API's list of Gatherings with
API tokens (many people's, so the per-person limit of 600 requests a minute is never reached).

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/gathering_bench_web; the
database is dropped and made afresh), wrk (scripts/ensure-bench-deps.sh installs it as root) and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/12; that database is emptied before and after). Without
Redis each worker caches in its own memory, and the notes say so. Skipped, and said so, without PostgreSQL
or wrk.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import Section, free_port, postgres_ready, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/gathering_bench_web"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
WORKERS = 4
CONNECTIONS = (1, 10, 50)
SECONDS = 8
# API tokens of this many people: each may make 600 requests a minute (settings.REST_FRAMEWORK).
API_PEOPLE = 200
# Acceptance for key pages at 50 connections (the issue "Production shape").
P95_BUDGET_MS = 100
SHARE_OF_BARE = 0.5
TITLE = "Web pages under load"

SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from gathering.accounts.models import ApiToken, User
from gathering.programme.models import Programme

programme = Programme.objects.filter(published_at__isnull=False).select_related("event").first()
person = User.objects.get(email="participant@demo.gathering.test")
session = SessionStore()
session[SESSION_KEY] = str(person.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = person.get_session_auth_hash()
session.create()
people = User.objects.bulk_create(
    [User(email=f"api{n}@bench.test", name=f"API {n}", password="!") for n in range(API_PEOPLE)]
)
keys = [ApiToken.new_key() for _ in people]
ApiToken.objects.bulk_create(
    [
        ApiToken(
            user=user,
            name="bench",
            key_hash=ApiToken.hash_key(key),
            hint=key[:8],
            credentials_hash=user.get_session_auth_hash(),
        )
        for user, key in zip(people, keys)
    ]
)
shape = {
    "places": programme.event.capacity,
    "sessions": programme.sessions.count(),
    "rooms": programme.rooms.count(),
    "registrations": programme.event.registrations.count(),
}
print(json.dumps({"slug": programme.event.slug, "session": session.session_key, "keys": keys, **shape}))
"""

# wrk's summary, printed by a done() hook: latencies in microseconds, the run's length in microseconds.
REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""

# Each request with the next person's token, so no one person's limit is reached.
TOKENS = """
local keys = {%s}
local n = 0
request = function()
  n = n + 1
  wrk.headers["Authorization"] = "Token " .. keys[(n %% #keys) + 1]
  return wrk.format(nil)
end
"""


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    headers: dict[str, str]
    key: bool  # held to the acceptance budget
    expect: str = ""  # text the page must contain (a signed-in page must not be the sign-in page)
    rotate_tokens: bool = False
    cost: str = ""  # what each request costs beyond the bare view, and what would make it cheaper


CACHED = (
    "served from the page cache, one Redis round trip (the scopes' versions and the page together) beyond "
    "the bare view"
)
MY_GATHERINGS = (
    "the person's list comes from the page cache (one Redis round trip: the versions of their own scope and "
    "of the Gatherings it shows, with the list), but every request still reads the session, the person and "
    "their roles (three queries) and renders the header and navigation"
)
API_LIST = (
    "the token check and the list come from the cache, but each request makes four Redis round trips (the "
    "token check, the throttle's read and write, the list) and goes through DRF's request handling"
)


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p50: float
    p95: float
    p99: float
    failed: int  # responses of 400 or more, and socket errors


def _redis_emptied(url: str) -> bool:
    """Empty the benchmark's Redis database; False when Redis cannot be reached."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.RedisError:
        return False
    return True


def _wrk_ready() -> bool:
    script = ROOT / "scripts" / "ensure-bench-deps.sh"
    return subprocess.run(["sh", str(script)], check=False).returncode == 0


def _get(port: int, page: Page) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = dict(page.headers)
    if page.rotate_tokens:
        headers["Authorization"] = headers.pop("X-First-Token")
    connection.request("GET", page.path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode(errors="replace")
    connection.close()
    return response.status, body


def _wrk(port: int, page: Page, connections: int, script: Path) -> Result:
    # wrk needs at least one connection per thread.
    threads = min(2, connections)
    headers = (
        []
        if page.rotate_tokens
        else [arg for name, value in page.headers.items() for arg in ("-H", f"{name}: {value}")]
    )
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{SECONDS}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        *headers,
        f"http://127.0.0.1:{port}{page.path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", output, flags=re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk gave no summary for {page.path}:\n{output}")
    requests, duration, p50, p95, p99, status, sockets = (int(x) for x in found.groups())
    return Result(requests / (duration / 1e6), p50 / 1000, p95 / 1000, p99 / 1000, status + sockets)


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def run() -> Section:
    database = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    command = "make bench  # bench/bench_web.py"
    headers = ["page", "connections", "requests/s", "p50", "p95", "p99", "share of bare view", "non-2xx"]
    if not postgres_ready(database):
        return Section(TITLE, command, headers, [], [f"Skipped: PostgreSQL not reachable at {database}."])
    if not _wrk_ready():
        return Section(
            TITLE, command, headers, [], ["Skipped: wrk is not installed (sudo apt-get install wrk)."]
        )
    began = time.monotonic()
    recreate_database(database)
    shared_cache = _redis_emptied(redis_url)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "gathering.settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        # Background work runs in-process (nothing is queued by reading pages); Redis is the cache only.
        "CELERY_BROKER_URL": "",
    }
    env.pop("REDIS_URL", None)
    gathering = [sys.executable, "-m", "gathering"]
    quiet = {"env": env, "cwd": ROOT, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([*gathering, "migrate", "--noinput", "-v0"], **quiet)
    subprocess.run([*gathering, "seed-demo", "--scale", "10", "--quiet-logins"], **quiet)
    made = subprocess.run(
        [*gathering, "shell", "-c", SETUP.replace("API_PEOPLE", str(API_PEOPLE))],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    setup = json.loads(made.stdout.strip().splitlines()[-1])
    seeded = time.monotonic() - began
    if shared_cache:
        env["REDIS_URL"] = redis_url

    slug = setup["slug"]
    cookie = {"Cookie": f"sessionid={setup['session']}"}
    pages = [
        Page("bare view (/health/)", "/health/", {}, key=False, expect="ok"),
        Page("home", "/", {}, key=True, expect="Coming up", cost=CACHED),
        Page("a Gathering", f"/gatherings/{slug}/", {}, key=True, expect="Programme: sessions", cost=CACHED),
        Page(
            "its programme",
            f"/gatherings/{slug}/programme/",
            {},
            key=True,
            expect='class="grid"',
            cost=CACHED,
        ),
        Page(
            "its programme, signed in", f"/gatherings/{slug}/programme/", cookie, key=False, expect="Sign out"
        ),
        Page(
            "My Gatherings, signed in",
            "/my/gatherings/",
            cookie,
            key=True,
            expect="Sign out",
            cost=MY_GATHERINGS,
        ),
        Page(
            "API: Gatherings, with tokens",
            "/api/v1/events/",
            {"X-First-Token": f"Token {setup['keys'][0]}"},
            key=True,
            expect='"results"',
            rotate_tokens=True,
            cost=API_LIST,
        ),
    ]

    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    report = work / "report.lua"
    report.write_text(REPORT)
    tokens = work / "tokens.lua"
    keys = ", ".join(f'"{key}"' for key in setup["keys"])
    tokens.write_text(TOKENS % keys + REPORT)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gathering.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "--control-socket",
            str(work / "gunicorn.ctl"),
        ],
        env=env,
        cwd=ROOT,
    )
    results: dict[tuple[str, int], Result] = {}
    problems: list[str] = []
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if _get(port, pages[0])[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        for page in pages:
            # Every worker renders (and the cache keeps) the page before it is measured.
            for _ in range(3 * WORKERS):
                status, body = _get(port, page)
            if status != 200 or page.expect not in body:
                problems.append(f"{page.path} answered {status} without “{page.expect}” when warmed.")
        for page in pages:
            for connections in CONNECTIONS:
                script = tokens if page.rotate_tokens else report
                results[page.label, connections] = _wrk(port, page, connections, script)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if shared_cache:
            _redis_emptied(redis_url)

    rows = []
    ok = not problems
    missed = []
    for page in pages:
        for connections in CONNECTIONS:
            result = results[page.label, connections]
            bare = results[pages[0].label, connections]
            share = result.requests_per_second / bare.requests_per_second
            ok = ok and result.failed == 0
            at_most = page.key and connections == max(CONNECTIONS)
            if at_most and (result.p95 >= P95_BUDGET_MS or share < SHARE_OF_BARE):
                missed.append(
                    f"{page.label} (p95 {_ms(result.p95)}, {share:.0%} of the bare view): {page.cost}"
                )
            rows.append(
                [
                    page.label,
                    connections,
                    f"{result.requests_per_second:,.0f}",
                    _ms(result.p50),
                    _ms(result.p95),
                    _ms(result.p99),
                    "1.00" if page is pages[0] else f"{share:.2f}",
                    result.failed,
                ]
            )
    bare = results[pages[0].label, max(CONNECTIONS)]
    saturated = ""
    if bare.p95 >= P95_BUDGET_MS:
        saturated = (
            f"The bare view itself took {_ms(bare.p95)} at p95 with {max(CONNECTIONS)} connections: "
            f"{WORKERS} sync workers answer one request each, so a request waits for those queued before it, "
            "and the latency budget is out of reach for any page on this machine as loaded. More workers or "
            "hosts (or a machine not shared with the load generator and other work) are what would meet it."
        )
    cache = (
        f"Redis ({redis_url}, shared by the workers, as in production)"
        if shared_cache
        else "each worker's own memory (Redis was not reachable)"
    )
    notes = [
        f"Served by gunicorn, {WORKERS} sync workers, DEBUG off, on PostgreSQL with `seed-demo --scale 10` "
        f"(the Gathering `{slug}`: {setup['places']:,} places, {setup['registrations']:,} registrations, "
        f"{setup['sessions']} sessions in {setup['rooms']} rooms); cache: {cache}. Not "
        "`GATHERING_ENV=production` (no TLS redirect or SMTP needed here); the page cache keeps entries for "
        "GATHERING_PAGE_CACHE_SECONDS (300).",
        f"wrk on the same machine, `wrk -t2 -cN -d{SECONDS}s` (one thread for one connection), after warming "
        "each address on every worker: p50, p95 and p99 from wrk's latency distribution. The home page, the "
        "Gathering and its programme are fetched as someone not signed in (served from the page cache); the "
        "signed-in rows send a session cookie of the demo participant (the programme's grid comes from the "
        f"cache, the rest is theirs); the API rows rotate through {API_PEOPLE} people's tokens (the list "
        "itself is kept in the cache like the pages).",
        "Share of bare view: requests per second against `/health/` at the same number of connections in "
        "this run. Non-2xx: responses of 400 or more and socket errors during the run; a row with any fails "
        "the benchmark. Each address answered 200 with its own content when warmed.",
        f"Acceptance for key pages at {max(CONNECTIONS)} connections: p95 under {P95_BUDGET_MS} ms and at "
        f"least {SHARE_OF_BARE:.0%} of the bare view's requests per second. "
        + ("Met by every key page." if not missed else "Not met by: " + "; ".join(missed) + "."),
        *([saturated] if saturated else []),
        f"Setting up (new database, migrations, demo data) took {seeded:.0f} s.",
        *problems,
    ]
    return Section(TITLE, command, headers, rows, notes, ok=ok)
