"""Organisers' and reviewers' pages for programmes, under /staff/programme/ so staff protections apply."""

from django.urls import path

from . import staff_views as views

app_name = "programme_staff"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<slug:slug>/", views.board, name="board"),
    path("<slug:slug>/create/", views.programme_create, name="create"),
    path("<slug:slug>/settings/", views.programme_settings, name="settings"),
    path("<slug:slug>/grid/", views.grid, name="grid"),
    path("<slug:slug>/slots/new/", views.slot_edit, name="slot_new"),
    path("<slug:slug>/slots/<int:slot_id>/", views.slot_edit, name="slot"),
    path("<slug:slug>/slots/<int:slot_id>/delete/", views.slot_delete, name="slot_delete"),
    path("<slug:slug>/rooms/new/", views.room_edit, name="room_new"),
    path("<slug:slug>/rooms/<int:room_id>/", views.room_edit, name="room"),
    path("<slug:slug>/rooms/<int:room_id>/delete/", views.room_delete, name="room_delete"),
    path("<slug:slug>/reviews/", views.reviews, name="reviews"),
    path("<slug:slug>/reviews/<int:session_id>/", views.review, name="review"),
    path("<slug:slug>/reviews/<int:session_id>/decide/", views.decide, name="decide"),
    path("<slug:slug>/sessions/<int:session_id>/", views.session_detail, name="session"),
    path("<slug:slug>/sessions/<int:session_id>/move/", views.session_move, name="session_move"),
    path("<slug:slug>/sessions/<int:session_id>/pin/", views.session_pin, name="session_pin"),
    path("<slug:slug>/sessions/<int:session_id>/merge/", views.session_merge, name="session_merge"),
    path("<slug:slug>/sessions/<int:session_id>/approve/", views.session_approve, name="session_approve"),
    path("<slug:slug>/sessions/<int:session_id>/drop/", views.session_drop, name="session_drop"),
    path("<slug:slug>/timetable/", views.timetable, name="timetable"),
    path("<slug:slug>/optimise/", views.optimise, name="optimise"),
    path("<slug:slug>/runs/<int:run_id>/", views.run_detail, name="run"),
    path("<slug:slug>/runs/<int:run_id>/publish/", views.run_publish, name="run_publish"),
    path("<slug:slug>/runs/<int:run_id>/discard/", views.run_discard, name="run_discard"),
]
