"""The network directory at the size of a national one: 100,000 services.

1. Writes 100,000 fictional services from 3,000 organisations as HSDS 3.0 documents (the shape of a feed
   another directory would send: files of 1,000 services, each naming its organisation by id, with its
   places, addresses, phones, opening hours, costs, languages and our approach and ways-in terms), placed in
   postcode districts across Great Britain in proportion to how many postcodes each district has.
2. Imports them with `gathering directory import-hsds` into an empty database (migrated first, not timed):
   wall time and the importing process's largest resident memory.
3. Searches "Find support" as a person would: a word, a postcode district, 25 km and an approach; times the
   search the page runs (form, place, search, one page of results) and, for information, the whole page
   through Django's request handling, in one process, one at a time, after 20 to warm up. p50, p95 and the
   slowest of 200 searches.

On SQLite (a file in a temporary folder) and on PostgreSQL (BENCH_DIRECTORY_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/gathering_bench_directory, dropped and made afresh, dropped again after);
without PostgreSQL its rows are left out and the notes say so. BENCH_DIRECTORY_SERVICES sets another size
(for a quick look; the budgets are for 100,000).
"""

import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import Section, drop_database, postgres_ready, recreate_database

ROOT = Path(__file__).resolve().parent.parent
SERVICES = int(os.environ.get("BENCH_DIRECTORY_SERVICES", "100000"))
ORGANISATIONS = max(1, SERVICES // 33)
PER_FILE = 1_000
SEARCHES = 200
WARM_UP = 20
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/gathering_bench_directory"
SEARCH_P95_MS = 50
IMPORT_SECONDS = 300
TITLE = "Directory: 100,000 services"
NAMESPACE = uuid.UUID("2b1c6a52-3a3e-4a55-8f0e-9a3c1d5e7b21")

# The approach and ways-in terms, as the migrations make them (directory/approaches.py, access.py): their ids
# are uuid5 of these codes in the directory's namespace, read here from the installed code.
TERMS = """
import json
from gathering.directory import access, approaches
print(json.dumps({
    "approaches": {code: str(approaches.term_id(code)) for code, _name in approaches.TERMS},
    "access": {term[0]: str(access.term_id(term[0])) for term in access.TERMS},
}))
"""

KINDS = (
    # (name, approach codes, ways in, description)
    (
        "Open Dialogue Team",
        ("open-dialogue", "family-and-carers"),
        ("self-referral", "phone"),
        "Network meetings for people in crisis and the people around them, held within a day of the first "
        "call and as often as needed. Every voice is heard and nothing is decided without you.",
    ),
    (
        "Crisis Café",
        ("crisis-cafe", "trauma-informed"),
        ("drop-in", "self-referral"),
        "A calm, welcoming place to come in the evening when things feel too much. Have a drink, talk with "
        "someone who has been there, and make a plan for the night.",
    ),
    (
        "Hearing Voices Group",
        ("hearing-voices", "peer-support-group"),
        ("drop-in", "self-referral", "online"),
        "A peer-led group where people who hear voices, see visions or have other unusual experiences share "
        "what helps, without judgement and without needing a diagnosis.",
    ),
    (
        "Peer Respite",
        ("peer-respite", "trauma-informed"),
        ("self-referral", "phone"),
        "A short stay in a homely house run by people with lived experience of crisis, as an alternative to "
        "hospital. Up to seven nights, free of charge.",
    ),
    (
        "Recovery College",
        ("recovery-college", "arts-and-creative"),
        ("self-referral", "online"),
        "Free courses written and taught by people with lived experience and professionals together, on "
        "understanding distress, wellbeing and getting back to the things that matter.",
    ),
    (
        "Soteria House",
        ("soteria",),
        ("phone",),
        "A small household where people going through a first episode of psychosis are accompanied day and "
        "night by a trained team, with little or no medication if they choose.",
    ),
    (
        "Carers Circle",
        ("family-and-carers", "peer-support-group"),
        ("drop-in", "online"),
        "A monthly circle for families, partners and friends supporting someone through mental distress: "
        "time to be heard, share what works and look after yourself too.",
    ),
    (
        "Creative Wellbeing Studio",
        ("arts-and-creative", "trauma-informed"),
        ("drop-in",),
        "Open studio sessions in painting, writing and music for people living with distress, led by artists "
        "with lived experience. No experience needed; materials provided.",
    ),
)
PLACE_NAMES = ("Community Rooms", "The Old Library", "Riverside Centre", "Friends Meeting House", "The Hub")
STREETS = ("High Street", "Church Lane", "Station Road", "Mill Street", "Park Road", "Canal Side")
HOURS = (
    [("MO,TU,WE,TH,FR", "09:00", "17:00")],
    [("FR,SA,SU", "18:00", "02:00")],
    [("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")],
    [("WE", "18:00", "20:00")],
    [("SA,SU", "10:00", "16:00")],
)
SCOTLAND = {"AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD", "ZE"}
WALES = {"CF", "LD", "LL", "NP", "SA"}
# What someone looking for each approach might type beside it (words its services' descriptions hold).
WORDS = {
    "open-dialogue": ("dialogue", "network", "crisis"),
    "family-and-carers": ("carers", "families", "network"),
    "crisis-cafe": ("crisis", "calm", "evening"),
    "trauma-informed": ("calm", "crisis", "lived experience"),
    "hearing-voices": ("voices", "peer", "diagnosis"),
    "peer-support-group": ("peer", "voices", "families"),
    "peer-respite": ("respite", "hospital", "peer"),
    "recovery-college": ("courses", "lived experience", "wellbeing"),
    "arts-and-creative": ("creative", "music", "painting"),
    "soteria": ("psychosis", "medication", "calm"),
}


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def _districts() -> list[tuple[str, float, float, int]]:
    path = ROOT / "src" / "gathering" / "directory" / "data" / "gb_outcode_centroids.csv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        code, latitude, longitude, count = line.split(",")
        # Districts a person can type (not the non-geographic ones such as "NPT").
        if int(count) > 0 and re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?", code):
            rows.append((code, float(latitude), float(longitude), int(count)))
    return rows


def _terms(env: dict[str, str]) -> dict[str, dict[str, str]]:
    output = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + TERMS],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def _nation(district: str) -> str:
    # The postcode area: the letters the district starts with ("G" of G12, "GL" of GL1).
    area = district[:2] if district[1:2].isalpha() else district[:1]
    if area in SCOTLAND:
        return "Scotland"
    return "Wales" if area in WALES else "England"


def _service(number: int, rng: random.Random, district: tuple[str, float, float, int], terms: dict) -> dict:
    name, approaches, ways_in, description = KINDS[number % len(KINDS)]
    code, latitude, longitude = district[0], district[1], district[2]
    service_id = _id("service", number)
    location_id = _id("location", number)
    attributes = [
        {"id": _id("attribute", number, term), "taxonomy_term_id": terms["approaches"][term]}
        for term in approaches
    ] + [
        {"id": _id("attribute", number, term), "taxonomy_term_id": terms["access"][term]} for term in ways_in
    ]
    schedules = [
        {
            "id": _id("schedule", number, index),
            "freq": "WEEKLY",
            "byday": byday,
            "opens_at": opens,
            "closes_at": closes,
        }
        for index, (byday, opens, closes) in enumerate(HOURS[number % len(HOURS)])
    ]
    inward = f"{rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    return {
        "id": service_id,
        "organization_id": _id("organization", number % ORGANISATIONS),
        "name": f"{name} {code} {number}",
        "description": description,
        "status": "active",
        "email": f"hello{number}@example.org",
        "phones": [{"id": _id("phone", number), "number": f"01632 960{number % 1000:03d}"}],
        "schedules": schedules,
        "cost_options": [{"id": _id("cost", number), "option": "Free", "currency": "GBP", "amount": 0}],
        "languages": [{"id": _id("language", number), "name": "English", "code": "en"}],
        "attributes": attributes,
        "service_at_locations": [
            {
                "id": _id("service_at_location", number),
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "name": rng.choice(PLACE_NAMES),
                    # Within about 2 km of the district's centre.
                    "latitude": round(latitude + rng.uniform(-0.018, 0.018), 7),
                    "longitude": round(longitude + rng.uniform(-0.028, 0.028), 7),
                    "addresses": [
                        {
                            "id": _id("address", number),
                            "address_1": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
                            "city": code,
                            "state_province": _nation(code),
                            "postal_code": f"{code} {inward}",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }


def write_dataset(folder: Path, terms: dict[str, dict[str, str]]) -> list[str]:
    """Write the services and organisations; returns the districts services were placed in, weighted as
    they were drawn (the searches start from them)."""
    # Made-up benchmark data: a seeded generator makes it the same on every run.
    rng = random.Random(2026)  # nosec B311
    districts = _districts()
    weights = [row[3] for row in districts]
    organisations = [
        {
            "id": _id("organization", number),
            "name": f"Compassionate Network Partner {number}",
            "description": "A fictional organisation running community mental health support.",
        }
        for number in range(ORGANISATIONS)
    ]
    (folder / "organizations").mkdir(parents=True)
    (folder / "organizations" / "organizations.json").write_text(json.dumps(organisations), encoding="utf-8")
    (folder / "services").mkdir()
    placed = rng.choices(districts, weights=weights, k=SERVICES)
    for start in range(0, SERVICES, PER_FILE):
        batch = [
            _service(number, rng, placed[number], terms)
            for number in range(start, min(SERVICES, start + PER_FILE))
        ]
        (folder / "services" / f"services-{start // PER_FILE:04d}.json").write_text(
            json.dumps(batch), encoding="utf-8"
        )
    return [row[0] for row in placed]


SEARCH = """
import gc, json, sys, time
import django
django.setup()
from django.test import Client
from gathering.directory.forms import SearchForm
from gathering.directory.search import search

queries = json.loads(sys.argv[1])
client = Client()
searches, pages, counts = [], [], []
for index, (word, district, approach) in enumerate(queries):
    asked = {"q": word, "place": district, "radius": "25", "approach": approach}
    # The search itself, as the page runs it: the form read, the place found, one page of results.
    started = time.perf_counter()
    form = SearchForm(asked)
    if not form.is_valid():
        print(json.dumps({"error": f"{asked}: {form.errors.as_json()}"}))
        sys.exit(1)
    results = search(form.criteria())
    searched = time.perf_counter() - started
    # The whole page: middleware, the search again and the template.
    started = time.perf_counter()
    response = client.get("/find-support/", asked)
    paged = time.perf_counter() - started
    if response.status_code != 200:
        print(json.dumps({"error": f"{asked} answered {response.status_code}"}))
        sys.exit(1)
    if index == WARM_UP - 1:
        # What a long-running worker holds once warm (settings, URLs, templates, the postcode table) is
        # never garbage: kept out of the collector's passes, as gathering/wsgi.py does for what it loads.
        gc.freeze()
    if index >= WARM_UP:
        searches.append(searched * 1000)
        pages.append(paged * 1000)
        counts.append(results.count)
print(json.dumps({"searches": searches, "pages": pages, "counts": counts}))
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _run_python(code: str, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-2000:] + result.stderr[-4000:])
    return result.stdout


def _measure(label: str, env: dict[str, str], folder: Path, queries: list) -> list[list[object]]:
    subprocess.run(
        [sys.executable, "-m", "gathering", "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    imported = subprocess.run(
        [sys.executable, "-m", "gathering", "directory", "import-hsds", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    if imported.returncode != 0:
        raise RuntimeError(imported.stdout[-2000:] + imported.stderr[-4000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: the import's own unless an earlier child
    # (the migration, the terms) was bigger, which the note says by showing "at most".
    memory = f"{peak / 1024:,.0f} MB" + ("" if peak > before else " (at most)")
    output = _run_python(SEARCH.replace("WARM_UP", str(WARM_UP)), env, json.dumps(queries))
    measured = json.loads(output.strip().splitlines()[-1])
    searches, pages, counts = measured["searches"], measured["pages"], measured["counts"]
    p95 = _percentile(searches, 0.95)
    return [
        [label, "import", f"{seconds:,.0f} s", memory, "yes" if seconds < IMPORT_SECONDS else "no"],
        [
            label,
            f"search ({len(searches)} searches; p50 {_percentile(searches, 0.5):.1f} ms, slowest "
            f"{max(searches):.1f} ms; results: median {_percentile(counts, 0.5)}, most {max(counts)})",
            f"p95 {p95:.1f} ms",
            "",
            "yes" if p95 < SEARCH_P95_MS else "no",
        ],
        [
            label,
            f"the whole page, for information (p50 {_percentile(pages, 0.5):.1f} ms, slowest "
            f"{max(pages):.1f} ms)",
            f"p95 {_percentile(pages, 0.95):.1f} ms",
            "",
            "",
        ],
    ]


def run() -> Section:
    headers = ["database", "what", "time", "largest resident memory", "within budget"]
    rows: list[list[object]] = []
    notes = [
        f"{SERVICES:,} services from {ORGANISATIONS:,} organisations, one place each, in "
        f"{SERVICES // PER_FILE} files of {PER_FILE:,} (HSDS 3.0 service documents naming their "
        "organisation by id, plus one file of organisations), placed in Great Britain's postcode districts "
        "in proportion to their postcodes.",
        "Searches: one approach, a word people looking for it might use (bench_directory.WORDS), a postcode "
        "district drawn the same way as the services, and 25 km; the same 220 searches on both databases, in "
        "one process, one at a time, DEBUG off. The search is what the page runs: its form read, the place "
        "found, the services matched and measured, and one page of results with their approaches, places and "
        "opening hours (directory/search.py). The whole page (GET /find-support/?..., middleware, template "
        "too, with Django's test client) is given beside it, for information: the budget for pages is under "
        "load (docs/benchmarks.md, web pages). After the 20 warming up, what the process holds is frozen out "
        "of the garbage collector's passes (gc.freeze()), as gathering/wsgi.py does in production. "
        f"Budgets: import under {IMPORT_SECONDS // 60} minutes, search p95 under {SEARCH_P95_MS} ms.",
    ]
    with tempfile.TemporaryDirectory(prefix="gathering-bench-directory-") as scratch:
        folder = Path(scratch) / "hsds"
        base_env = {
            **os.environ,
            "GATHERING_VAR_DIR": scratch,
            "DATABASE_URL": f"sqlite:///{scratch}/directory.sqlite3",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "gathering.settings",
        }
        base_env.pop("GATHERING_ENV", None)
        started = time.perf_counter()
        placed = write_dataset(folder, _terms(base_env))
        notes.append(f"Writing the documents took {time.perf_counter() - started:.0f} s.")
        rng = random.Random(7)  # nosec B311
        queries = []
        for _ in range(SEARCHES + WARM_UP):
            approach = rng.choice(sorted(WORDS))
            queries.append((rng.choice(WORDS[approach]), rng.choice(placed), approach))
        rows += _measure("SQLite", base_env, folder, queries)
        database = os.environ.get("BENCH_DIRECTORY_DATABASE_URL", DEFAULT_DATABASE)
        if postgres_ready(database):
            recreate_database(database)
            try:
                rows += _measure("PostgreSQL", {**base_env, "DATABASE_URL": database}, folder, queries)
            finally:
                drop_database(database)
        else:
            notes.append(
                f"PostgreSQL at {database.rsplit('@', 1)[-1]} did not answer: its rows are left out."
            )
    ok = all(row[-1] in ("yes", "") for row in rows)
    return Section(
        title=TITLE,
        command="make bench  # bench/bench_directory.py",
        headers=headers,
        rows=rows,
        notes=notes,
        ok=ok,
    )


if __name__ == "__main__":
    section = run()
    print("\n".join(section.markdown("now")))
