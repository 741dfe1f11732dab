"""The staff area. Every page here needs a staff role and two-step verification."""

from django.urls import path

from . import staff_views

app_name = "staff"
urlpatterns = [
    path("", staff_views.home, name="home"),
    path("team/", staff_views.team, name="team"),
    path("team/<int:user_id>/roles/", staff_views.person_roles, name="person_roles"),
]
