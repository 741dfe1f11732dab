"""The directory's blocks on the home page: a short "Find support near you" search, so a person reaches a
service in two clicks without an account, and the approaches our network showcases, each a link to its
page. Neither reads the database."""

from django.http import HttpRequest
from django.urls import reverse

from gathering.core.home import home_block

from . import approaches


@home_block("find_support", order=50, template="directory/home/find_support.html")
def find_support(request: HttpRequest) -> dict[str, object]:
    return {}


@home_block("approaches", order=55, template="directory/home/approaches.html")
def showcased_approaches(request: HttpRequest) -> dict[str, object]:
    return {
        "approaches": [(name, reverse("directory:approach", args=[code])) for code, name in approaches.TERMS]
    }
