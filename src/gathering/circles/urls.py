"""Participants' circle pages: series, joining, my circles, leaving quietly, "not with" and feedback."""

from django.urls import path

from . import views

app_name = "circles"
urlpatterns = [
    path("circles/", views.series_list, name="list"),
    path("circles/<slug:slug>/", views.series_detail, name="series"),
    path("circles/<slug:slug>/join/", views.join, name="join"),
    path("my/circles/", views.my_circles, name="my"),
    path("my/circles/<int:membership_id>/", views.membership, name="membership"),
    path("my/circles/<int:membership_id>/leave/", views.leave, name="leave"),
    path("my/circles/<int:membership_id>/not-with/", views.not_with, name="not_with"),
    path("my/circles/<int:membership_id>/feedback/<int:meeting_id>/", views.feedback, name="feedback"),
]
