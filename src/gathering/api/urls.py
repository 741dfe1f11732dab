"""API routes: /api/v1/... and the OpenAPI 3 schema at /api/schema/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from gathering.events import api as events_api
from gathering.impact import api as impact_api
from gathering.learning import api as learning_api
from gathering.programme import api as programme_api

from . import views

v1 = [
    path("events/", events_api.EventListView.as_view(), name="events"),
    path("events/<slug:slug>/", events_api.EventDetailView.as_view(), name="event"),
    path(
        "events/<slug:slug>/registrations/",
        events_api.EventRegistrationsView.as_view(),
        name="event_registrations",
    ),
    path("events/<slug:slug>/sessions/", programme_api.SessionListView.as_view(), name="sessions"),
    path(
        "events/<slug:slug>/sessions/<int:session_id>/",
        programme_api.SessionDetailView.as_view(),
        name="session",
    ),
    path(
        "events/<slug:slug>/sessions/<int:session_id>/interest/",
        programme_api.SessionInterestView.as_view(),
        name="session_interest",
    ),
    path("events/<slug:slug>/timetable/", programme_api.TimetableView.as_view(), name="timetable"),
    path("impact/", impact_api.ImpactView.as_view(), name="impact"),
    path("courses/", learning_api.CourseListView.as_view(), name="courses"),
    path("courses/<slug:slug>/", learning_api.CourseDetailView.as_view(), name="course"),
    path("cohorts/", learning_api.CohortListView.as_view(), name="cohorts"),
    path("me/enrolments/", learning_api.MyEnrolmentsView.as_view(), name="my_enrolments"),
    path("me/interests/", programme_api.MyInterestsView.as_view(), name="my_interests"),
    path("me/registrations/", events_api.MyRegistrationsView.as_view(), name="my_registrations"),
    path(
        "me/registrations/<int:registration_id>/",
        events_api.MyRegistrationView.as_view(),
        name="my_registration",
    ),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/tokens/", views.TokenListView.as_view(), name="tokens"),
    path("me/tokens/<int:token_id>/", views.TokenDetailView.as_view(), name="token"),
]

app_name = "api"
urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
