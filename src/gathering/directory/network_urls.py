"""Our network: the partners, friends and aligned organisations of the directory (anyone, no sign-in)."""

from django.urls import path

from . import network_views

app_name = "network"
urlpatterns = [
    path("", network_views.network_list, name="list"),
    path("<uuid:organization_id>/", network_views.organisation_detail, name="organisation"),
]
