"""API shapes for courses, cohorts and a person's enrolments. No joining links and no other person's data:
those are for people with a confirmed place, on My learning."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gathering.events.models import Registration

from .models import Cohort, CohortSession, Course


class CohortSessionSerializer(serializers.ModelSerializer):
    online = serializers.SerializerMethodField()

    class Meta:
        model = CohortSession
        fields = ["id", "title", "starts_at", "ends_at", "place", "online"]

    def get_online(self, session: CohortSession) -> bool:
        return bool(session.online_link)


class CohortSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    title = serializers.CharField(source="event.title", read_only=True)
    gathering = serializers.SlugRelatedField(source="event", slug_field="slug", read_only=True)
    starts_at = serializers.DateTimeField(source="event.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="event.ends_at", read_only=True)
    status = serializers.CharField(source="event.status", read_only=True)
    capacity = serializers.IntegerField(source="event.capacity", read_only=True, allow_null=True)
    places_left = serializers.SerializerMethodField()
    sessions = CohortSessionSerializer(many=True, read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "course",
            "title",
            "gathering",
            "starts_at",
            "ends_at",
            "status",
            "capacity",
            "places_left",
            "completion_percent",
            "sessions",
        ]

    def get_places_left(self, cohort: Cohort) -> int | None:
        return self.context.get("places_left", {}).get(cohort.pk)


class CourseSerializer(serializers.ModelSerializer):
    outcomes = serializers.SerializerMethodField()
    cohorts = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "audience",
            "format",
            "cpd_hours",
            "outcomes",
            "cohorts",
            "url",
        ]

    def get_outcomes(self, course: Course) -> list[str]:
        return [outcome.text for outcome in course.outcomes.all()]

    @extend_schema_field(CohortSerializer(many=True))
    def get_cohorts(self, course: Course) -> list[dict]:
        return CohortSerializer(course.shown_cohorts, many=True, context=self.context).data

    def get_url(self, course: Course) -> str:
        request = self.context.get("request")
        path = course.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class EnrolmentSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(source="event.cohort.course", slug_field="slug", read_only=True)
    cohort = serializers.IntegerField(source="event.cohort.pk", read_only=True)
    sessions = serializers.SerializerMethodField()
    attended = serializers.SerializerMethodField()
    completion_percent = serializers.SerializerMethodField()
    complete = serializers.SerializerMethodField()
    self_assessments = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "course",
            "cohort",
            "status",
            "sessions",
            "attended",
            "completion_percent",
            "complete",
            "self_assessments",
        ]

    def get_sessions(self, registration: Registration) -> int:
        return registration.completion.sessions

    def get_attended(self, registration: Registration) -> int:
        return registration.completion.attended

    def get_completion_percent(self, registration: Registration) -> int:
        return registration.completion.percent

    def get_complete(self, registration: Registration) -> bool:
        return registration.completion.complete

    def get_self_assessments(self, registration: Registration) -> list[str]:
        return sorted(registration.assessments)
