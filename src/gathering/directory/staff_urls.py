"""Organisers' pages for the directory, under /staff/directory/ so staff protections apply."""

from django.urls import path

from . import approach_staff_views, staff_views

app_name = "directory_staff"
urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("approaches/", approach_staff_views.approach_list, name="approaches"),
    path("approaches/<slug:code>/", approach_staff_views.approach_edit, name="approach"),
    path("proposals/<int:proposal_id>/", staff_views.proposal, name="proposal"),
    path("proposals/<int:proposal_id>/approve/", staff_views.proposal_approve, name="proposal_approve"),
    path("proposals/<int:proposal_id>/reject/", staff_views.proposal_reject, name="proposal_reject"),
    path("reports/<int:report_id>/", staff_views.report, name="report"),
    path("needs-checking/", staff_views.stale, name="stale"),
    path("organisations/", staff_views.organisations, name="organisations"),
    path("organisations/<uuid:organization_id>/", staff_views.members, name="members"),
    path(
        "organisations/<uuid:organization_id>/members/<int:member_id>/remove/",
        staff_views.member_remove,
        name="member_remove",
    ),
    path(
        "organisations/<uuid:organization_id>/invitations/<int:invitation_id>/withdraw/",
        staff_views.invitation_withdraw,
        name="invitation_withdraw",
    ),
]
