"""Organisers' impact pages, under /staff/ so staff protections apply."""

from django.urls import path

from . import staff_views

app_name = "impact_staff"
urlpatterns = [
    path("", staff_views.dashboard, name="dashboard"),
    path("tables/<slug:table>.csv", staff_views.table_csv, name="csv"),
    path("report/<int:year>/", staff_views.report, name="report"),
    path("report/<int:year>/report.pdf", staff_views.report_pdf, name="report_pdf"),
    path("report/<int:year>/publish/", staff_views.report_publish, name="report_publish"),
]
