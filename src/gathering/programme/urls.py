"""Programme pages for attendees and the public, under each Gathering and under My programme."""

from django.urls import path

from . import cfp_views, views

app_name = "programme"
urlpatterns = [
    path("gatherings/<slug:slug>/programme/", views.timetable, name="timetable"),
    path("gatherings/<slug:slug>/programme/board/", views.board, name="board"),
    path("gatherings/<slug:slug>/programme/propose/", views.propose, name="propose"),
    path("gatherings/<slug:slug>/programme/call/", cfp_views.propose, name="cfp"),
    path("gatherings/<slug:slug>/programme/print/", views.board_print, name="print"),
    path("gatherings/<slug:slug>/programme/now/", views.now_next, name="now_next"),
    path("gatherings/<slug:slug>/programme/programme.ics", views.programme_ics, name="ics"),
    path("gatherings/<slug:slug>/programme/sessions/<int:session_id>/", views.session_detail, name="session"),
    path(
        "gatherings/<slug:slug>/programme/sessions/<int:session_id>/interest/",
        views.interest,
        name="interest",
    ),
    path(
        "gatherings/<slug:slug>/programme/sessions/<int:session_id>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("my/programme/", views.agenda, name="agenda"),
    path("my/programme/calendar/", views.agenda_calendar_renew, name="calendar_renew"),
    path("calendar/programme.ics", views.agenda_feed, name="feed"),
]
