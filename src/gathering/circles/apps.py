"""Listening circles: series, joining with perspectives and "not with" requests, formation by the grouping
optimiser, group agreements, facilitator and participant views, attendance and feedback."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    name = "gathering.circles"
    label = "circles"
    verbose_name = _("Listening circles")
