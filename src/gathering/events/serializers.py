"""API shapes for Gatherings and registrations."""

from rest_framework import serializers

from gathering.api.strict import StrictTypes, non_blank_text, plain_text
from gathering.core.regions import Region

from .models import Event, Registration, TicketType, Venue
from .selectors import waitlist_position


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = [
            "name",
            "address",
            "postcode",
            "step_free_route",
            "accessible_toilets",
            "hearing_loop",
            "quiet_room",
            "seating",
            "lighting",
            "parking",
            "public_transport",
        ]


class TicketTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketType
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "price_minor",
            "floor_minor",
            "suggested_minor",
            "quantity",
        ]


class EventSerializer(serializers.ModelSerializer):
    venue = VenueSerializer(read_only=True, allow_null=True)
    ticket_types = TicketTypeSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "kind",
            "format",
            "status",
            "starts_at",
            "ends_at",
            "time_zone",
            "capacity",
            "currency",
            "venue",
            "ticket_types",
            "url",
        ]

    def get_url(self, event: Event) -> str:
        request = self.context.get("request")
        path = event.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class RegistrationCreateSerializer(StrictTypes, serializers.Serializer):
    ticket_type = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    amount = serializers.IntegerField(required=False, min_value=0, max_value=10**9, help_text="Minor units.")
    payment = serializers.ChoiceField(choices=Registration.Payment.choices, required=False)
    invitation_code = serializers.CharField(
        required=False, allow_blank=True, max_length=40, validators=[plain_text]
    )
    name = serializers.CharField(required=False, max_length=150, validators=[non_blank_text])
    pronouns = serializers.CharField(required=False, allow_blank=True, max_length=40, validators=[plain_text])
    region = serializers.ChoiceField(
        choices=Region.choices, required=False, allow_blank=True, help_text="A region, never anything finer."
    )
    special_category_consent = serializers.BooleanField(required=False, default=False)
    perspectives = serializers.ListField(
        child=serializers.ChoiceField(choices=Registration.Perspective.choices), required=False, max_length=10
    )
    access_needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Registration.AccessNeed.choices), required=False, max_length=20
    )
    access_needs_other = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, validators=[plain_text]
    )
    dietary_needs = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, validators=[plain_text]
    )
    answers = serializers.DictField(required=False, help_text="Answers keyed by question id.")
    on_attendee_list = serializers.BooleanField(required=False, default=False)
    share_access_with_venue = serializers.BooleanField(required=False, default=False)


class RegistrationSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    ticket_type = serializers.PrimaryKeyRelatedField(read_only=True)
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "ticket_type",
            "status",
            "waitlist_position",
            "amount_minor",
            "payment",
            "offer_expires_at",
            "created_at",
        ]

    def get_waitlist_position(self, registration: Registration) -> int | None:
        positions = self.context.get("positions")
        if positions is not None:
            return positions.get(registration.pk)
        return waitlist_position(registration)


class OrganiserRegistrationSerializer(RegistrationSerializer):
    class Meta(RegistrationSerializer.Meta):
        fields = [
            *RegistrationSerializer.Meta.fields,
            "name",
            "pronouns",
            "region",
            "email",
            "checked_in_at",
            "paid_at",
        ]
