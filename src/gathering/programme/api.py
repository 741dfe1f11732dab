"""The programme in the REST API: a Gathering's sessions and published timetable, proposing an open-space
session, marking interest, and my marks. What it shows matches the public programme pages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gathering.api.strict import json_type_errors
from gathering.api.throttling import UserRateThrottle

from . import selectors, services
from .models import Programme, Session
from .serializers import (
    LEVELS_BY_NAME,
    InterestSetSerializer,
    MyInterestSerializer,
    ProposalCreateSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    TimetableSerializer,
    session_url,
)
from .views import programme_or_404, session_or_404


def _session_context(request: Request, programme: Programme) -> dict[str, object]:
    return {
        "request": request,
        "slug": programme.event.slug,
        "published": programme.published_at is not None,
        "slots": list(programme.slots.all()),
        "levels": selectors.interest_levels(user=request.user, programme=programme),
    }


def _body(request: Request) -> dict:
    """The request's JSON object; anything else is refused with a message saying what to send."""
    data = request.data
    if not isinstance(data, dict):
        raise ValidationError(_('Send a JSON object, for example {"title": "..."}.'))
    return data


class ProposalRateThrottle(UserRateThrottle):
    """Proposals per person, like the proposal form's limit; reading the list is not counted."""

    scope = "proposals"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class SessionListView(generics.ListAPIView):
    """A Gathering's public sessions, in the order they were proposed: open-space proposals still in play
    and curated sessions once accepted."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = SessionSerializer

    def get_throttles(self) -> list:
        return [*super().get_throttles(), ProposalRateThrottle()]

    def _programme(self) -> Programme:
        if not hasattr(self, "_loaded_programme"):
            self._loaded_programme = programme_or_404(self.kwargs["slug"])
        return self._loaded_programme

    def get_queryset(self):
        return selectors.sessions_public(programme=self._programme()).order_by("pk")

    def get_serializer_context(self) -> dict:
        return _session_context(self.request, self._programme())

    @extend_schema(summary="A Gathering's sessions")
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ProposalCreateSerializer,
        responses={
            201: SessionDetailSerializer,
            409: OpenApiResponse(description="You have already proposed a session with this title."),
        },
        summary="Propose an open-space session (people with a confirmed place)",
    )
    def post(self, request: Request, slug: str) -> Response:
        programme = self._programme()
        # Who may propose is settled before the body is read; the service then checks every value with
        # the proposal form's own messages.
        services.proposal_check_allowed(user=request.user, programme=programme)
        values = _body(request)
        # The service reads a description that is not text as none; refuse it instead ({} is no description).
        fields = ProposalCreateSerializer().fields
        type_errors = json_type_errors({"description": fields["description"]}, values)
        if type_errors:
            raise ValidationError(type_errors)
        created = services.session_propose(
            programme=programme,
            user=request.user,
            title=values.get("title"),
            description=values.get("description", ""),
            length=values.get("length", 1),
            needs=values.get("needs", []),
            proposer_shown_as=values.get("proposer_shown_as", Session.ShownAs.PREFERRED_NAME),
        )
        # A proposal waiting for approval is not public yet: the proposer gets it back with its status.
        session = (
            created if created.status == Session.Status.WAITING else session_or_404(programme, created.pk)
        )
        body = SessionDetailSerializer(session, context=_session_context(request, programme)).data
        return Response(body, status=status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=SessionDetailSerializer, summary="One session, with its facilitators")
    def get(self, request: Request, slug: str, session_id: int) -> Response:
        programme = programme_or_404(slug)
        session = session_or_404(programme, session_id)
        return Response(SessionDetailSerializer(session, context=_session_context(request, programme)).data)


class SessionInterestView(APIView):
    """My mark on a session: "would_like" or "really_want". Marks guide the timetable; they are not
    bookings."""

    @extend_schema(
        request=InterestSetSerializer,
        responses={200: SessionSerializer},
        summary="Mark a session (people with a confirmed place); the session with the new counts",
    )
    def put(self, request: Request, slug: str, session_id: int) -> Response:
        programme = programme_or_404(slug)
        session = session_or_404(programme, session_id)
        services.interest_check_allowed(user=request.user, programme=programme)
        incoming = InterestSetSerializer(data=_body(request))
        incoming.is_valid(raise_exception=True)
        level = LEVELS_BY_NAME[incoming.validated_data["level"]]
        services.interest_set(user=request.user, session=session, level=level)
        session = session_or_404(programme, session_id)
        return Response(SessionSerializer(session, context=_session_context(request, programme)).data)

    @extend_schema(
        responses={204: OpenApiResponse(description="No mark on the session now")},
        summary="Take back my mark on a session",
    )
    def delete(self, request: Request, slug: str, session_id: int) -> Response:
        programme = programme_or_404(slug)
        session = session_or_404(programme, session_id)
        services.interest_remove(user=request.user, session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimetableView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=TimetableSerializer,
        summary="A Gathering's published timetable (empty, with published false, until it is published)",
    )
    def get(self, request: Request, slug: str) -> Response:
        programme = programme_or_404(slug)
        event = programme.event
        body: dict[str, object] = {
            "event": event.slug,
            "time_zone": event.time_zone,
            "published": programme.published_at is not None,
            "published_at": programme.published_at,
            "slots": [],
            "rooms": [],
            "sessions": [],
        }
        if programme.published_at is not None:
            slots = list(programme.slots.all())
            body["slots"], body["rooms"] = slots, list(programme.rooms.all())
            body["sessions"] = [
                {
                    "id": session.pk,
                    "title": session.title,
                    "format": session.format,
                    "room": session.room_id,
                    "slots": [slot.pk for slot in running],
                    "starts_at": running[0].starts_at,
                    "ends_at": running[-1].ends_at,
                    "url": session_url(request, event.slug, session.pk),
                }
                for session, running in selectors.sessions_placed(programme=programme, slots=slots)
            ]
        return Response(TimetableSerializer(body).data)


class MyInterestsView(generics.ListAPIView):
    """The sessions I marked, at every Gathering, newest mark first."""

    serializer_class = MyInterestSerializer

    def get_queryset(self):
        return selectors.interests_for_user(user=self.request.user)

    @extend_schema(summary="My interest marks")
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)
