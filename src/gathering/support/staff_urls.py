"""The safeguarding leads' queue, under /staff/ so two-step verification applies."""

from django.urls import path

from . import views

app_name = "safeguarding"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:concern_id>/", views.concern_detail, name="concern"),
]
