"""The directory's block on the home page: a short "Find support near you" search, so a person reaches a
service in two clicks without an account. It reads nothing from the database."""

from django.http import HttpRequest

from gathering.core.home import home_block


@home_block("find_support", order=50, template="directory/home/find_support.html")
def find_support(request: HttpRequest) -> dict[str, object]:
    return {}
