"""Organisers' pages for Gatherings, under /staff/ so staff protections apply."""

from django.urls import path

from . import staff_views

app_name = "events_staff"
urlpatterns = [
    path("", staff_views.event_list, name="list"),
    path("<slug:slug>/", staff_views.registrations, name="registrations"),
    path("<slug:slug>/registrations/<int:registration_id>/paid/", staff_views.mark_paid, name="mark_paid"),
    path("<slug:slug>/check-in/", staff_views.check_in, name="check_in"),
    path("<slug:slug>/message/", staff_views.message_attendees, name="message"),
    path("<slug:slug>/bursaries/", staff_views.bursary_queue, name="bursaries"),
    path("<slug:slug>/bursaries/<int:application_id>/", staff_views.bursary_review, name="bursary"),
]
