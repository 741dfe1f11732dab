"""Organisers' and facilitators' learning pages, under /staff/ so staff protections apply."""

from django.urls import path

from . import certificate_views, staff_views

app_name = "learning_staff"
urlpatterns = [
    path("", staff_views.course_list, name="list"),
    path("new/", staff_views.course_create, name="create"),
    path("cohorts/<int:cohort_id>/", staff_views.cohort_detail, name="cohort"),
    path("cohorts/<int:cohort_id>/edit/", staff_views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:cohort_id>/breakouts/", staff_views.breakouts, name="breakouts"),
    path("cohorts/<int:cohort_id>/sessions/new/", staff_views.session_edit, name="session_new"),
    path("cohorts/<int:cohort_id>/sessions/<int:session_id>/", staff_views.session_edit, name="session"),
    path(
        "cohorts/<int:cohort_id>/sessions/<int:session_id>/attendance/",
        staff_views.attendance,
        name="attendance",
    ),
    path(
        "cohorts/<int:cohort_id>/certificates/<int:certificate_id>/revoke/",
        certificate_views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("<slug:slug>/", staff_views.course_setup, name="course"),
    path("<slug:slug>/edit/", staff_views.course_edit, name="edit"),
    path("<slug:slug>/materials/new/", staff_views.material_edit, name="material_new"),
    path("<slug:slug>/materials/<int:material_id>/", staff_views.material_edit, name="material"),
    path("<slug:slug>/cohorts/new/", staff_views.cohort_create, name="cohort_new"),
]
