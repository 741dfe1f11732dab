"""Programme pages for attendees and the public, under each Gathering and under My programme."""

from django.urls import path

from . import cfp_views

app_name = "programme"
urlpatterns = [
    path("gatherings/<slug:slug>/programme/call/", cfp_views.propose, name="cfp"),
]
