"""programme staff urls."""

from django.urls import path  # noqa: F401

app_name = "programme_staff"
urlpatterns: list = []
