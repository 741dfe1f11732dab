"""The circles app's block on the home page: listening circles open for joining."""

from django.http import HttpRequest

from gathering.core.home import home_block

from . import selectors

OPEN_CIRCLES = 4


@home_block("open_circles", order=40, template="circles/home/open.html")
def open_circles(request: HttpRequest) -> dict[str, object]:
    return {"series_list": selectors.series_open(limit=OPEN_CIRCLES)}
