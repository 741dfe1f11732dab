"""Marks the impact figures out of date whenever a row they count is saved or deleted, however it is
written. Writes that send no signals (``QuerySet.update()``, ``bulk_create()``) are caught by the version's
lifetime (selectors.VERSION_SECONDS)."""

from django.db.models.signals import post_delete, post_save

from gathering.circles import models as circles
from gathering.events import models as events
from gathering.learning import models as learning
from gathering.programme import models as programme

from .selectors import figures_changed

COUNTED = (
    events.Event,
    events.TicketType,
    events.Registration,
    events.BursaryApplication,
    events.FeedbackResponse,
    programme.Programme,
    programme.Session,
    learning.Course,
    learning.Cohort,
    learning.SelfAssessment,
    learning.OutcomeRating,
    circles.CircleSeries,
    circles.Circle,
    circles.CircleMembership,
    circles.Meeting,
    circles.Attendance,
    circles.Feedback,
)


def _changed(sender: type, raw: bool = False, **kwargs: object) -> None:
    if not raw:
        figures_changed()


for model in COUNTED:
    uid = f"impact_{model._meta.label_lower}"
    post_save.connect(_changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=uid)
