"""Learning in the REST API: the course catalogue, cohorts that have not ended, and my enrolments."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .models import Cohort, Course
from .serializers import CohortSerializer, CourseSerializer, EnrolmentSerializer


class _PlacesInContext(generics.ListAPIView):
    """A list whose serializer needs the places left in the cohorts on the page, counted once for the page."""

    def cohorts_on(self, page: list) -> list[Cohort]:
        raise NotImplementedError

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        context = {
            **self.get_serializer_context(),
            "places_left": selectors.places_left(cohorts=self.cohorts_on(page)),
        }
        data = self.get_serializer_class()(page, many=True, context=context).data
        return self.get_paginated_response(data)


class CourseListView(_PlacesInContext):
    """Published courses, each with its cohorts that have not ended."""

    permission_classes = [AllowAny]
    serializer_class = CourseSerializer

    def get_queryset(self) -> list[Course]:
        return selectors.courses_catalogue()

    def cohorts_on(self, page: list[Course]) -> list[Cohort]:
        return [cohort for course in page for cohort in course.shown_cohorts]


class CohortListView(_PlacesInContext):
    """Cohorts of published courses that have not ended, soonest first."""

    permission_classes = [AllowAny]
    serializer_class = CohortSerializer

    def get_queryset(self) -> list[Cohort]:
        cohorts = [cohort for course in selectors.courses_catalogue() for cohort in course.shown_cohorts]
        return sorted(cohorts, key=lambda cohort: (cohort.event.starts_at, cohort.pk))

    def cohorts_on(self, page: list[Cohort]) -> list[Cohort]:
        return page


class CourseDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CourseSerializer, summary="One course, with its cohorts")
    def get(self, request: Request, slug: str) -> Response:
        try:
            course = selectors.course_get_published(slug=slug)
        except Course.DoesNotExist:
            raise Http404 from None
        context = {"request": request, "places_left": selectors.places_left(cohorts=course.shown_cohorts)}
        return Response(CourseSerializer(course, context=context).data)


class MyEnrolmentsView(generics.ListAPIView):
    """My places (and places in the waiting list) in cohorts, with attendance and completion."""

    serializer_class = EnrolmentSerializer

    def get_queryset(self) -> list:
        return selectors.enrolments_for_user(user=self.request.user)
