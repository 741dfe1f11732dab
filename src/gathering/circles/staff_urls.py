"""Organisers' and facilitators' circle pages, under /staff/ so staff protections apply."""

from django.urls import path

from . import staff_views

app_name = "circles_staff"
urlpatterns = [
    path("", staff_views.series_list, name="list"),
    path("new/", staff_views.series_create, name="create"),
    path("facilitating/", staff_views.facilitating, name="facilitating"),
    path("facilitating/<int:circle_id>/", staff_views.facilitate, name="facilitate"),
    path("facilitating/<int:circle_id>/remove/<int:membership_id>/", staff_views.remove, name="remove"),
    path("<slug:slug>/", staff_views.series_detail, name="series"),
    path("<slug:slug>/edit/", staff_views.series_edit, name="edit"),
    path("<slug:slug>/open/", staff_views.series_open, name="open"),
    path("<slug:slug>/agreement/", staff_views.agreement, name="agreement"),
    path("<slug:slug>/invitations/", staff_views.invitations, name="invitations"),
    path(
        "<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        staff_views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<slug:slug>/form/", staff_views.form_circles, name="form"),
    path("<slug:slug>/runs/<int:run_id>/", staff_views.formation_run, name="run"),
    path("<slug:slug>/circles/", staff_views.circles_preview, name="circles"),
    path("<slug:slug>/circles/<int:circle_id>/", staff_views.circle_place, name="circle"),
    path("<slug:slug>/publish/", staff_views.publish, name="publish"),
    path("<slug:slug>/feedback/", staff_views.feedback_report, name="feedback"),
]
