"""API shapes for a programme: sessions, the published timetable and interest marks.

They show what the public pages show: facilitators' names only on a session's own record (as its page
does), places and times only once the timetable is published.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gathering.api.strict import StrictTypes, non_blank_text, plain_text

from .models import Interest, Need, Room, Session, Slot
from .selectors import session_slots
from .services import PROPOSAL_DESCRIPTION_MAX, PROPOSAL_TITLE_MAX, SESSION_LENGTH_MAX

# The API names interest levels in words; the database keeps the numbers.
LEVEL_NAMES = {Interest.Level.WOULD_LIKE: "would_like", Interest.Level.REALLY_WANT: "really_want"}
LEVELS_BY_NAME = {name: level for level, name in LEVEL_NAMES.items()}
LEVEL_CHOICES = [("would_like", _("Would like")), ("really_want", _("Really want"))]


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def session_url(request, slug: str, session_id: int) -> str:
    """The session's page, as a full address when there is a request to take the host from."""
    return _absolute(request, reverse("programme:session", args=[slug, session_id]))


class SlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Slot
        fields = ["id", "starts_at", "ends_at", "is_break", "label"]
        read_only_fields = fields


class RoomSerializer(serializers.ModelSerializer):
    features = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices), read_only=True)

    class Meta:
        model = Room
        fields = ["id", "name", "capacity", "features", "is_online"]
        read_only_fields = fields


class InterestCountsSerializer(serializers.Serializer):
    would_like = serializers.IntegerField(read_only=True)
    really_want = serializers.IntegerField(read_only=True)


class PlaceSerializer(serializers.Serializer):
    """Where and when a session runs in the published timetable."""

    room = RoomSerializer(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    slots = serializers.ListField(child=serializers.IntegerField(), read_only=True)


class SessionSerializer(serializers.ModelSerializer):
    """A public session. The context holds `slug`, `published` (bool), `slots` (the programme's slots in
    order), `levels` ({session id: level} of the signed-in person) and `request`."""

    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices), read_only=True)
    interest = serializers.SerializerMethodField()
    my_interest = serializers.SerializerMethodField()
    place = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "title",
            "description",
            "format",
            "track",
            "status",
            "length",
            "needs",
            "interest",
            "my_interest",
            "place",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(InterestCountsSerializer)
    def get_interest(self, session: Session) -> dict[str, int]:
        return {"would_like": session.would_like, "really_want": session.really_want}

    @extend_schema_field(serializers.ChoiceField(choices=LEVEL_CHOICES, allow_null=True))
    def get_my_interest(self, session: Session) -> str | None:
        level = self.context.get("levels", {}).get(session.pk)
        return LEVEL_NAMES.get(level)

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_place(self, session: Session) -> dict | None:
        if not self.context.get("published") or session.room is None:
            return None
        running = session_slots(session, self.context["slots"])
        if not running:
            return None
        return {
            "room": RoomSerializer(session.room).data,
            "starts_at": serializers.DateTimeField().to_representation(running[0].starts_at),
            "ends_at": serializers.DateTimeField().to_representation(running[-1].ends_at),
            "slots": [slot.pk for slot in running],
        }

    def get_url(self, session: Session) -> str:
        return session_url(self.context.get("request"), self.context["slug"], session.pk)


class SessionDetailSerializer(SessionSerializer):
    """One session, with its facilitators' names as the session's page shows them."""

    facilitators = serializers.SerializerMethodField()

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "facilitators"]
        read_only_fields = fields

    def get_facilitators(self, session: Session) -> list[str]:
        return session.public_facilitator_names


class ProposalCreateSerializer(StrictTypes, serializers.Serializer):
    """An open-space proposal: a title is enough. It documents the request; the service checks the values,
    with the same messages as the proposal form."""

    title = serializers.CharField(max_length=PROPOSAL_TITLE_MAX, validators=[non_blank_text])
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=PROPOSAL_DESCRIPTION_MAX, validators=[plain_text]
    )
    length = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=SESSION_LENGTH_MAX, help_text=_("In slots.")
    )
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Need.choices),
        required=False,
        help_text=_("What the room needs."),
    )
    proposer_shown_as = serializers.ChoiceField(
        choices=Session.ShownAs.choices,
        required=False,
        default=Session.ShownAs.PREFERRED_NAME,
        help_text=_("How the proposer's name is shown publicly."),
    )


class InterestSetSerializer(StrictTypes, serializers.Serializer):
    level = serializers.ChoiceField(
        choices=LEVEL_CHOICES,
        error_messages={"invalid_choice": _("Choose “would_like” or “really_want”.")},
    )


class MarkedSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)


class MyInterestSerializer(serializers.ModelSerializer):
    """One of my marks, with the session and Gathering it is on."""

    level = serializers.SerializerMethodField()
    session = serializers.SerializerMethodField()
    event = serializers.SerializerMethodField()

    class Meta:
        model = Interest
        fields = ["session", "event", "level", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=LEVEL_CHOICES))
    def get_level(self, interest: Interest) -> str:
        return LEVEL_NAMES[interest.level]

    @extend_schema_field(MarkedSessionSerializer)
    def get_session(self, interest: Interest) -> dict[str, object]:
        session = interest.session
        url = session_url(self.context.get("request"), session.programme.event.slug, session.pk)
        return {"id": session.pk, "title": session.title, "url": url}

    def get_event(self, interest: Interest) -> str:
        return interest.session.programme.event.slug


class TimetableSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    format = serializers.ChoiceField(choices=Session.Format.choices, read_only=True)
    room = serializers.IntegerField(read_only=True)
    slots = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    url = serializers.CharField(read_only=True)


class TimetableSerializer(serializers.Serializer):
    """The published grid: slots (breaks included), rooms, and where each session runs."""

    event = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    published = serializers.BooleanField(read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    slots = SlotSerializer(many=True, read_only=True)
    rooms = RoomSerializer(many=True, read_only=True)
    sessions = TimetableSessionSerializer(many=True, read_only=True)
