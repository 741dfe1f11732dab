"""The crisis page budget (DESIGN.md section 6): under 20 KB, no script but the same-origin quick-exit one
(deferred; the page works fully without it), no third-party request, and fast to serve. Measured in-process
through the whole middleware stack."""

import os
import re
import time

from common import Section, percentile

REQUESTS = 500
BUDGET_BYTES = 20 * 1024
QUICK_EXIT = re.compile(r'^<script src="/static/gathering/js/quick-exit(\.[0-9a-f]+)?\.js" defer>$')


def other_scripts(html: str) -> int:
    """Script tags other than the deferred, same-origin quick-exit script (which may appear once)."""
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    allowed = [tag for tag in tags if QUICK_EXIT.match(tag)][:1]
    inline = re.search(r"<script\b[^>]*>\s*[^<\s]", html, flags=re.IGNORECASE)
    return len(tags) - len(allowed) + (1 if inline else 0)


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
        scripts = other_scripts(html)
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
        headers=[
            "page",
            "size",
            "scripts besides quick exit",
            "third-party loads",
            "p50",
            "p95",
            "within budget",
        ],
        rows=rows,
        notes=[
            f"{REQUESTS} sequential requests per page through Django's test client (no network, one process)."
        ],
        ok=ok,
    )
