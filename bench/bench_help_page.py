"""The crisis page budget (DESIGN.md section 6): under 20 KB, no JavaScript, no third-party request, and fast
to serve. Measured in-process through the whole middleware stack."""

import os
import re
import time

from common import Section, percentile

REQUESTS = 500
BUDGET_BYTES = 20 * 1024


def run() -> Section:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gathering.settings")
    import django

    django.setup()
    from django.test import Client

    client = Client()
    rows = []
    ok = True
    for query, language in (("", "en-GB"), ("?country=US", "en-US"), ("?country=NZ", "en-NZ")):
        response = client.get(f"/help/{query}", HTTP_ACCEPT_LANGUAGE=language)
        html = response.content.decode()
        size = len(response.content)
        scripts = html.lower().count("<script")
        third_party = len(re.findall(r'<(?:img|script|link|iframe)[^>]+(?:src|href)="https?://', html))
        timings = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(f"/help/{query}", HTTP_ACCEPT_LANGUAGE=language)
            timings.append((time.perf_counter() - start) * 1000)
        within = size < BUDGET_BYTES and scripts == 0 and third_party == 0
        ok = ok and within
        rows.append(
            [
                f"/help/{query}",
                f"{size:,} B",
                scripts,
                third_party,
                f"{percentile(timings, 0.5):.2f} ms",
                f"{percentile(timings, 0.95):.2f} ms",
                "yes" if within else "NO",
            ]
        )
    return Section(
        title="Crisis page",
        command="make bench  # bench/bench_help_page.py",
        headers=["page", "size", "scripts", "third-party loads", "p50", "p95", "within budget"],
        rows=rows,
        notes=[
            f"{REQUESTS} sequential requests per page through Django's test client (no network, one process)."
        ],
        ok=ok,
    )
