"""Pages for the people who act for an organisation in the directory, under /my/organisations/."""

from django.urls import path

from . import partner_views

app_name = "partners"
urlpatterns = [
    path("", partner_views.home, name="home"),
    path(
        "invitations/<int:invitation_id>/accept/", partner_views.invitation_accept, name="invitation_accept"
    ),
    path("<uuid:organization_id>/", partner_views.organisation, name="organisation"),
    path("<uuid:organization_id>/services/new/", partner_views.propose_new, name="propose_new"),
    path(
        "<uuid:organization_id>/services/<uuid:service_id>/edit/",
        partner_views.propose_edit,
        name="propose_edit",
    ),
    path(
        "<uuid:organization_id>/services/<uuid:service_id>/still-correct/",
        partner_views.confirm,
        name="confirm",
    ),
    path("<uuid:organization_id>/proposals/<int:proposal_id>/", partner_views.proposal, name="proposal"),
]
