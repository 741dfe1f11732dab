"""The learning app's block on the home page: the next cohorts open for enrolment."""

from django.http import HttpRequest

from gathering.core.home import home_block
from gathering.core.pagecache import changes_at

from . import selectors

NEXT_COURSES = 3


@home_block("next_courses", order=35, template="learning/home/next.html")
def next_courses(request: HttpRequest) -> dict[str, object] | None:
    cohorts = selectors.courses_next(limit=NEXT_COURSES)
    if not cohorts:
        return None
    # A cohort leaves the list when it starts; a cached home page must not outlive that.
    changes_at(request, *(cohort.event.starts_at for cohort in cohorts))
    return {"cohorts": cohorts}
