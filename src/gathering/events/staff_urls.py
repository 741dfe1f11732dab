"""Organisers' pages for Gatherings, under /staff/ so staff protections apply."""

from django.urls import path

from . import staff_views

app_name = "events_staff"
urlpatterns = [
    path("", staff_views.event_list, name="list"),
    path("new/", staff_views.event_create, name="create"),
    path("venues/", staff_views.venue_list, name="venues"),
    path("venues/new/", staff_views.venue_edit, name="venue_new"),
    path("venues/<int:venue_id>/", staff_views.venue_edit, name="venue"),
    path("<slug:slug>/edit/", staff_views.event_edit, name="edit"),
    path("<slug:slug>/setup/", staff_views.event_setup, name="setup"),
    path("<slug:slug>/copy/", staff_views.event_copy, name="copy"),
    path("<slug:slug>/tickets/new/", staff_views.ticket_edit, name="ticket_new"),
    path("<slug:slug>/tickets/<int:ticket_id>/", staff_views.ticket_edit, name="ticket"),
    path("<slug:slug>/questions/new/", staff_views.question_edit, name="question_new"),
    path("<slug:slug>/questions/<int:question_id>/", staff_views.question_edit, name="question"),
    path("<slug:slug>/", staff_views.registrations, name="registrations"),
    path("<slug:slug>/registrations/<int:registration_id>/paid/", staff_views.mark_paid, name="mark_paid"),
    path("<slug:slug>/check-in/", staff_views.check_in, name="check_in"),
    path("<slug:slug>/registrations.csv", staff_views.registrations_csv, name="registrations_csv"),
    path("<slug:slug>/message/", staff_views.message_attendees, name="message"),
    path("<slug:slug>/feedback/", staff_views.feedback_report, name="feedback"),
    path("<slug:slug>/bursaries/", staff_views.bursary_queue, name="bursaries"),
    path("<slug:slug>/bursaries/<int:application_id>/", staff_views.bursary_review, name="bursary"),
]
