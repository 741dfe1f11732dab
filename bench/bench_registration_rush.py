"""Registration rush (DESIGN.md section 6): 1,000 people register at once for 100 places, over HTTP, against
gunicorn and PostgreSQL. Reports throughput and latency, and checks exactly 100 are confirmed, 900 are queued
with positions 1..900, none lost, and no error page.

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gathering_bench; the database
is dropped and created afresh). Skipped, and said so, when PostgreSQL cannot be reached.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import Section, children, free_port, percentile, postgres_ready, recreate_database, rss_mb

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 1000
PLACES = 100
CLIENTS = 50
WORKERS = 4
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gathering_bench"

SETUP = """
import json, sys
from gathering.accounts.models import User, ApiToken
from gathering.events.models import Event, TicketType
from django.utils import timezone
from datetime import timedelta
people, places = int(sys.argv[1]), int(sys.argv[2])
start = timezone.now() + timedelta(days=30)
event = Event.objects.create(title="Rush", slug="rush", summary="Rush", format="online", status="published",
                             starts_at=start, ends_at=start + timedelta(hours=2), capacity=places)
ticket = TicketType.objects.create(event=event, name="Free")
users = User.objects.bulk_create([User(email=f"rush{n}@bench.test", name=f"Rush {n}", password="!")
                                  for n in range(people)])
keys = []
tokens = []
for user in users:
    key = ApiToken.new_key()
    keys.append(key)
    # A token is valid only with the credentials it was made under (a password change ends it).
    tokens.append(ApiToken(user=user, name="bench", key_hash=ApiToken.hash_key(key), hint=key[:8],
                           credentials_hash=user.get_session_auth_hash()))
ApiToken.objects.bulk_create(tokens)
print(json.dumps({"ticket": ticket.pk, "keys": keys}))
"""

CHECK = """
import json
from gathering.events.models import Registration
from gathering.events.services import waitlist_position
regs = list(Registration.objects.filter(event__slug="rush"))
waiting = sorted((r for r in regs if r.status == "waitlisted"), key=lambda r: (r.waitlisted_at, r.pk))
print(json.dumps({
    "total": len(regs),
    "emails": len({r.email for r in regs}),
    "confirmed": sum(r.status == "confirmed" for r in regs),
    "waitlisted": len(waiting),
    "positions_ok": [waitlist_position(r) for r in waiting] == list(range(1, len(waiting) + 1)),
}))
"""


def run() -> Section:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    command = "make bench  # bench/bench_registration_rush.py"
    headers = [
        "attempts",
        "places",
        "clients",
        "gunicorn workers",
        "throughput",
        "p50",
        "p95",
        "max",
        "outcome",
    ]
    if not postgres_ready(url):
        return Section(
            "Registration rush", command, headers, [], [f"Skipped: PostgreSQL not reachable at {url}."]
        )
    recreate_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "gathering.settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    gathering = [sys.executable, "-m", "gathering"]
    subprocess.run([*gathering, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    made = subprocess.run(
        [
            *gathering,
            "shell",
            "-c",
            SETUP.replace("sys.argv[1]", str(PEOPLE)).replace("sys.argv[2]", str(PLACES)),
        ],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    setup = json.loads(made.stdout.strip().splitlines()[-1])
    port = free_port()
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
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/help/", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        endpoint = f"http://127.0.0.1:{port}/api/v1/events/rush/registrations/"
        body = json.dumps({"ticket_type": setup["ticket"]}).encode()
        start_gate = threading.Barrier(CLIENTS)

        def attempt(n: int) -> tuple[int, float, str]:
            if n < CLIENTS:
                start_gate.wait()
            request = urllib.request.Request(
                endpoint,
                data=body,
                method="POST",
                headers={"Authorization": f"Token {setup['keys'][n]}", "Content-Type": "application/json"},
            )
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    status, answer = response.status, json.loads(response.read())["status"]
            except urllib.error.HTTPError as error:
                status, answer = error.code, "error"
            except (urllib.error.URLError, ConnectionError):
                status, answer = 0, "connection"
            return status, (time.perf_counter() - began) * 1000, answer

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(attempt, range(PEOPLE)))
        elapsed = time.perf_counter() - began
        rss = [rss_mb(pid) for pid in children(server.pid)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    checked = subprocess.run(
        [*gathering, "shell", "-c", CHECK], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    outcome = json.loads(checked.stdout.strip().splitlines()[-1])
    timings = [ms for _s, ms, _a in results]
    errors = sum(1 for status, _ms, _a in results if status != 201)
    ok = (
        errors == 0
        and outcome["total"] == PEOPLE
        and outcome["emails"] == PEOPLE
        and outcome["confirmed"] == PLACES
        and outcome["waitlisted"] == PEOPLE - PLACES
        and outcome["positions_ok"]
    )
    verdict = (
        f"{outcome['confirmed']} confirmed, {outcome['waitlisted']} waitlisted "
        f"(positions 1..{outcome['waitlisted']}"
        f"{' in order' if outcome['positions_ok'] else ' NOT in order'}), {PEOPLE - outcome['total']} lost, "
        f"{errors} errors"
    )
    return Section(
        title="Registration rush",
        command=command,
        headers=headers,
        rows=[
            [
                PEOPLE,
                PLACES,
                CLIENTS,
                WORKERS,
                f"{PEOPLE / elapsed:.0f} registrations/s",
                f"{percentile(timings, 0.5):.0f} ms",
                f"{percentile(timings, 0.95):.0f} ms",
                f"{max(timings):.0f} ms",
                verdict,
            ]
        ],
        notes=[
            f"Each of {PEOPLE} people has an API token and POSTs once to /api/v1/events/rush/registrations/; "
            f"{CLIENTS} client threads on the same machine, the first {CLIENTS} released together.",
            "gunicorn worker memory after the run: " + ", ".join(f"{mb:.0f} MB" for mb in rss) + ".",
        ],
        ok=ok,
    )
