"""Who may do what with learning programmes: organisers run the courses they organise and the cohorts of
Gatherings they organise; a course's facilitators see and mark its cohorts' attendance; each participant
sees only their own enrolments and self-assessments."""

import rules

from gathering.accounts.models import User
from gathering.events.rules import can_manage_event

from .models import Cohort, Course


@rules.predicate
def is_course_organiser(user: User, course: Course | None) -> bool:
    if course is None or not user.is_authenticated or not user.has_perm("accounts.organise"):
        return False
    if user.has_perm("accounts.manage_roles"):
        return True
    return course.pk is not None and course.organisers.filter(pk=user.pk).exists()


@rules.predicate
def is_course_facilitator(user: User, course: Course | None) -> bool:
    return (
        course is not None
        and course.pk is not None
        and user.is_authenticated
        and course.facilitators.filter(pk=user.pk).exists()
    )


rules.add_perm("learning.manage_course", is_course_organiser)


def can_manage_course(user: User, course: Course) -> bool:
    return is_course_organiser(user, course)


def can_manage_cohort(user: User, cohort: Cohort) -> bool:
    """The course's organisers and the organisers of the cohort's Gathering."""
    return is_course_organiser(user, cohort.course) or can_manage_event(user, cohort.event)


def can_facilitate_cohort(user: User, cohort: Cohort) -> bool:
    """Whoever manages the cohort, and the course's facilitators: they mark attendance and see aggregates."""
    return can_manage_cohort(user, cohort) or is_course_facilitator(user, cohort.course)
