"""The help page."""

from django.urls import path

from . import views

app_name = "support"
urlpatterns = [path("", views.help_page, name="help")]
