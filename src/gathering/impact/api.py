"""The impact figures in the REST API, for organisers: `GET /api/v1/impact/`, the protected tables of one
scope (a period, and optionally one Gathering, series or course) as the dashboard shows them."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import measures, periods, selectors
from .disclosure import THRESHOLD

ORGANISE = "accounts.organise"
PERIOD_PARAMETERS = ("period", "from", "to")
SHOWING = ("gathering", "series", "course")
PARAMETERS = (*PERIOD_PARAMETERS, *SHOWING)
# What `period`, `from` and `to` take, exactly as the schema states it. `periods.parse` is kinder (it strips
# spaces, reads other scripts' digits and ISO week dates); a value outside the schema is handed to it as
# NOT_A_PERIOD instead, which it refuses with its message saying what to send.
PERIOD = re.compile(r"all|[0-9]{4}(-[Qq][1-4])?")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOT_A_PERIOD = "?"
SLUG = {"type": "string", "minLength": 1}


class Organises(BasePermission):
    """Organisers, and administrators (who hold the same permission). `User.has_perm` withholds a staff role's
    powers from a session or token without the second factor."""

    message = gettext_lazy("Only organisers may see the impact figures.")

    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(ORGANISE))


# ---------------------------------------------------------------- the answer


def _count() -> serializers.IntegerField:
    return serializers.IntegerField(
        allow_null=True,
        min_value=THRESHOLD,
        help_text="null: hidden (fewer than five, or a figure that would let a small one be worked out).",
    )


def _amount() -> serializers.IntegerField:
    return serializers.IntegerField(
        source="money",
        allow_null=True,
        required=False,
        help_text="Only in tables with money: the amount in minor units (pence); null: hidden.",
    )


class ImpactPeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
    first_day = serializers.DateField(allow_null=True, help_text="null for all time.")
    last_day = serializers.DateField(allow_null=True, help_text="null for all time.")
    widened = serializers.BooleanField(help_text="`from` and `to` were widened to whole quarters.")


class ImpactTotalSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = _count()
    amount_minor = _amount()


class ImpactRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = _count()
    percent = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="Of the total, rounded; null if either is hidden.",
    )
    amount_minor = _amount()


class ImpactTableSerializer(serializers.Serializer):
    key = serializers.CharField(source="table.key", help_text="The table, e.g. `registrations`.")
    title = serializers.CharField(source="table.title")
    group = serializers.CharField(source="table.group", help_text="The heading the table is shown under.")
    total = ImpactTotalSerializer()
    rows = ImpactRowSerializer(many=True, help_text="The categories, adding up to the total; [] for a count.")
    mean = serializers.FloatField(
        allow_null=True, help_text="For a 1-to-5 scale, the average when every answer's count is shown."
    )

    def to_representation(self, instance: selectors.ScopeTable) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.table.money:
            for row in (data["total"], *data["rows"]):
                del row["amount_minor"]
        return data


class ImpactSerializer(serializers.Serializer):
    figures_for = serializers.CharField(help_text="The scope in words, e.g. “The whole network, 2026”.")
    period = ImpactPeriodSerializer()
    tables = ImpactTableSerializer(many=True, help_text="Tables that do not apply to the scope are left out.")
    hidden_means = serializers.CharField(help_text="What a null figure stands for.")


def hidden_means() -> str:
    return _(
        "null stands for fewer than five people, or for a figure hidden so that a small number cannot be "
        "worked out from the others. Percentages are of the figures shown, rounded."
    )


# ---------------------------------------------------------------- the question


def _refused(message: str, *names: str) -> exceptions.ValidationError:
    # The error body's `message` says it, and `fields` names each parameter it is about.
    return exceptions.ValidationError({"non_field_errors": [message], **{name: [message] for name in names}})


def _values(request: Request) -> dict[str, str]:
    """The parameters sent, each once and with a value (an empty one is not what the schema states)."""
    params = request.query_params
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        message = _("Unknown parameter: %(names)s. This address takes %(known)s.") % {
            "names": ", ".join(unknown),
            "known": ", ".join(PARAMETERS),
        }
        raise _refused(message, *unknown)
    for name, value in params.items():
        if len(params.getlist(name)) > 1:
            raise _refused(_("Send %(name)s once.") % {"name": name}, name)
        if not value:
            raise _refused(_("Give %(name)s a value, or leave it out.") % {"name": name}, name)
    return dict(params.items())


def _period(values: dict[str, str]) -> tuple[periods.Period, dict[str, Any]]:
    """The period asked for, and as the answer states it."""
    sent = [name for name in PERIOD_PARAMETERS if name in values] or ["period"]
    period, start, end = values.get("period", ""), values.get("from", ""), values.get("to", "")
    if period and (start or end):
        raise _refused(_("Send either period, or from and to, not both."), *sent)
    if period and not PERIOD.fullmatch(period):
        period = NOT_A_PERIOD
    start, end = (day if not day or DAY.fullmatch(day) else NOT_A_PERIOD for day in (start, end))
    try:
        chosen = periods.parse(period, start, end)
        first = chosen.first.first_day if chosen.first else None
        last = chosen.last.last_day if chosen.last else None
        label = chosen.label
    except periods.PeriodError as error:
        raise _refused(str(error), *sent) from None
    return chosen, {"label": label, "first_day": first, "last_day": last, "widened": chosen.widened}


def _scope(values: dict[str, str], period: periods.Period) -> selectors.Scope:
    showing = [name for name in SHOWING if name in values]
    if len(showing) > 1:
        raise _refused(_("Ask for one of gathering, series or course, not more."), *showing)
    if not showing:
        return selectors.Scope(period=period)
    name = showing[0]
    slug = values[name]
    current = selectors.bundle()
    if name == "course":
        if slug not in dict(current.courses()):
            raise exceptions.NotFound(_("No course with cohorts in the figures has that slug."))
        return selectors.Scope(period=period, course=slug)
    if not period.is_all_time:
        # An activity's figures are its own whatever the period: taking one would look like a filter.
        message = _(
            "A Gathering's or a series' figures are its own, whatever the period: leave out the period."
        )
        raise _refused(message, name, *(other for other in PERIOD_PARAMETERS if other in values))
    kinds = (measures.SERIES,) if name == "series" else (measures.GATHERING, measures.COHORT)
    key = next((a.key for a in current.activities if a.kind in kinds and a.slug == slug), None)
    if key is None:
        if name == "series":
            raise exceptions.NotFound(_("No series of listening circles in the figures has that slug."))
        raise exceptions.NotFound(_("No Gathering in the figures has that slug."))
    return selectors.Scope(period=period, activity=key)


# ---------------------------------------------------------------- the view


class ImpactView(APIView):
    permission_classes = [Organises]

    @extend_schema(
        summary="Impact figures (organisers)",
        description=(
            "The network's figures for a period, and optionally for one Gathering, series of listening "
            "circles or course, with small counts protected: a count below five is never given, and other "
            "figures are hidden where they would let one be worked out. A hidden figure is `null`. Figures "
            "are counted by whole quarter (an activity belongs to the quarter it starts in). Send `period`, "
            "or `from` and `to`, or neither (all time); and at most one of `gathering`, `series` and "
            "`course`. A Gathering's or a series' figures are its own, whatever the period, so they take "
            "none. Organisers and administrators only."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                {"type": "string", "pattern": f"^({PERIOD.pattern})$"},
                description="`all` (the default), a year such as `2026`, or a quarter such as `2026-Q2`.",
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="The first day of a custom period (with `to`); widened to a whole quarter.",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description="The last day of a custom period (with `from`); widened to a whole quarter.",
            ),
            OpenApiParameter("gathering", SLUG, description="A Gathering's (or a training cohort's) slug."),
            OpenApiParameter("series", SLUG, description="The slug of a series of listening circles."),
            OpenApiParameter("course", SLUG, description="A course's slug: its cohorts in the period."),
        ],
        responses={
            200: ImpactSerializer,
            404: OpenApiResponse(description="No Gathering, series or course in the figures has that slug."),
        },
    )
    def get(self, request: Request) -> Response:
        values = _values(request)
        period, stated = _period(values)
        scope = _scope(values, period)
        answer = {
            "figures_for": selectors.describe(scope),
            "period": stated,
            "tables": selectors.scope_tables(scope),
            "hidden_means": hidden_means(),
        }
        return Response(ImpactSerializer(answer).data)
