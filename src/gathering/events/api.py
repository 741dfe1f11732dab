"""Gatherings in the REST API: browse, register, see and cancel my registrations, and organisers' lists."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gathering.core.pagecache import LISTINGS, kept_value

from . import selectors, services
from .models import Event, Registration
from .rules import can_manage_event
from .serializers import (
    EventSerializer,
    OrganiserRegistrationSerializer,
    RegistrationCreateSerializer,
    RegistrationSerializer,
)


def document_registration_rules(result: dict, generator: object, request: object, public: bool) -> dict:
    """drf-spectacular postprocessing hook: the schema states the consent rule registration_create applies
    (experience or access needs only with special_category_consent true), so a request it calls valid is."""
    registration = result.get("components", {}).get("schemas", {}).get("RegistrationCreateRequest")
    if registration is not None:
        registration["anyOf"] = [
            {
                "required": ["special_category_consent"],
                "properties": {"special_category_consent": {"enum": [True]}},
            },
            {
                "properties": {
                    "perspectives": {"maxItems": 0},
                    "access_needs": {"maxItems": 0},
                    "access_needs_other": {"type": "string", "pattern": r"^\s*$"},
                }
            },
        ]
    return result


def _event_or_404(slug: str) -> Event:
    try:
        return selectors.event_get_published(slug=slug)
    except Event.DoesNotExist:
        raise Http404 from None


class EventListView(generics.ListAPIView):
    """Published Gatherings that have not ended yet, soonest first."""

    permission_classes = [AllowAny]
    serializer_class = EventSerializer

    def get_queryset(self):
        return selectors.events_upcoming()

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        # The same for everyone who asks: kept in the page cache under the listings' version, by page.
        params = request.query_params
        if set(params) - {"page", "per_page"} or any(len(value) > 6 for value in params.values()):
            return super().list(request, *args, **kwargs)

        def build() -> tuple[object, list[object]]:
            page = self.paginate_queryset(self.get_queryset())
            data = self.get_paginated_response(self.get_serializer(page, many=True).data).data
            return data, [event.ends_at for event in page]

        parts = (request.scheme, request.get_host(), params.get("page", ""), params.get("per_page", ""))
        return Response(kept_value(name="api-events", parts=parts, scopes=[LISTINGS], build=build))


class EventDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=EventSerializer, summary="One Gathering")
    def get(self, request: Request, slug: str) -> Response:
        return Response(EventSerializer(_event_or_404(slug), context={"request": request}).data)


class EventRegistrationsView(APIView):
    @extend_schema(
        request=RegistrationCreateSerializer,
        responses={
            201: RegistrationSerializer,
            200: OpenApiResponse(RegistrationSerializer, description="Already registered: the existing one"),
        },
        summary="Register for a Gathering",
    )
    def post(self, request: Request, slug: str) -> Response:
        event = _event_or_404(slug)
        incoming = RegistrationCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        data = services.RegistrationInput(
            ticket_type_id=values["ticket_type"],
            name=values.get("name") or request.user.name,
            email=request.user.email,
            pronouns=values.get("pronouns", request.user.pronouns),
            region=values.get("region", ""),
            amount_minor=values.get("amount"),
            payment=values.get("payment", Registration.Payment.NONE),
            invitation_code=values.get("invitation_code", ""),
            special_category_consent=values["special_category_consent"],
            perspectives=values.get("perspectives", []),
            access_needs=values.get("access_needs", []),
            access_needs_other=values.get("access_needs_other", ""),
            dietary_needs=values.get("dietary_needs", ""),
            answers=values.get("answers", {}),
            on_attendee_list=values["on_attendee_list"],
            share_access_with_venue=values["share_access_with_venue"],
        )
        result = services.registration_create(event=event, user=request.user, data=data)
        body = RegistrationSerializer(
            result.registration, context={"positions": {result.registration.pk: result.waitlist_position}}
        ).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    @extend_schema(
        responses=inline_serializer(
            "EventRegistrationList",
            {
                "counts": serializers.DictField(child=serializers.IntegerField()),
                "results": OrganiserRegistrationSerializer(many=True),
            },
        ),
        summary="Registrations for a Gathering (its organisers)",
    )
    def get(self, request: Request, slug: str) -> Response:
        event = _event_or_404(slug)
        if not can_manage_event(request.user, event):
            raise PermissionDenied
        registrations = list(selectors.registrations_for_event(event=event))
        positions = selectors.waitlist_positions(registrations=registrations)
        return Response(
            {
                "counts": selectors.registration_status_counts(event=event),
                "results": OrganiserRegistrationSerializer(
                    registrations, many=True, context={"positions": positions}
                ).data,
            }
        )


class MyRegistrationsView(generics.ListAPIView):
    serializer_class = RegistrationSerializer

    def get_queryset(self):
        return selectors.registrations_for_user(user=self.request.user)

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        page = getattr(self, "_page_objects", None)
        context["positions"] = selectors.waitlist_positions(registrations=page or [])
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_objects = list(page) if page is not None else list(queryset)
        return page


class MyRegistrationView(APIView):
    @extend_schema(responses={204: None}, summary="Cancel my registration (or leave the waiting list)")
    def delete(self, request: Request, registration_id: int) -> Response:
        registration = Registration.objects.filter(pk=registration_id, user=request.user).first()
        if registration is None:
            raise Http404
        services.registration_cancel(registration=registration, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
