"""The impact block on the home page: the latest published report, once an organiser has published one."""

from django.http import HttpRequest

from gathering.core.home import home_block

from .models import AnnualReport


@home_block("our_impact", order=60, template="impact/home/our_impact.html")
def our_impact(request: HttpRequest) -> dict[str, object] | None:
    year = AnnualReport.objects.published().values_list("year", flat=True).first()
    if year is None:
        return None
    return {"year": year}
