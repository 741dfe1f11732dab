"""Gatherings pages, and My Gatherings."""

from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("gatherings/", views.event_list, name="list"),
    path("gatherings/past/", views.event_past_list, name="past"),
    path("gatherings/<slug:slug>/", views.event_detail, name="detail"),
    path("gatherings/<slug:slug>/register/", views.event_register, name="register"),
    path("gatherings/<slug:slug>/calendar.ics", views.event_ics, name="ics"),
    path("gatherings/<slug:slug>/bursary/", views.bursary_apply, name="bursary"),
    path("gatherings/<slug:slug>/feedback/", views.feedback, name="feedback"),
    path("my/gatherings/", views.my_gatherings, name="my"),
    path("my/gatherings/calendar/", views.calendar_feed_renew, name="calendar_renew"),
    path("calendar/feed.ics", views.calendar_feed, name="calendar_feed"),
    path("my/gatherings/<int:registration_id>/cancel/", views.registration_cancel, name="cancel"),
    path("my/gatherings/<int:registration_id>/edit/", views.registration_edit, name="edit"),
    path("my/gatherings/<int:registration_id>/offer/", views.registration_offer, name="offer"),
]
