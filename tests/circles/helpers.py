"""Building circle series with members the way the product does: through the services."""

from gathering.circles.models import CircleSeries
from gathering.circles.services import JoinInput, membership_join

from ..factories import CircleSeriesFactory, UserFactory, make_staff

PERSPECTIVES = ["lived_experience", "family_carer", "practitioner", "service_designer", "other"]


def join(series: CircleSeries, user=None, **fields):
    user = user or UserFactory()
    consent = bool(fields.get("perspectives") or fields.get("access_needs"))
    data = JoinInput(
        agreement_version=series.agreements.order_by("-version").first().version,
        special_category_consent=fields.pop("special_category_consent", consent),
        **fields,
    )
    return membership_join(series=series, user=user, data=data)


def series_with(members: int, facilitators: int, **series_fields):
    organiser = make_staff("organiser")
    pool = [make_staff("facilitator") for _ in range(facilitators)]
    series = CircleSeriesFactory(organisers=[organiser], facilitators=pool, **series_fields)
    people = [
        join(
            series,
            perspectives=[PERSPECTIVES[k % len(PERSPECTIVES)]],
            organisation=f"Org {k % 5}",
            region=["north_west", "south_east", "wales"][k % 3],
        )
        for k in range(members)
    ]
    return series, organiser, pool, people
