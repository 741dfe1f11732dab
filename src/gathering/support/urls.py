"""The help page and raising a concern (anyone, no sign-in needed)."""

from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.help_page, name="help"),
    path("concern/", views.raise_concern, name="concern"),
]
