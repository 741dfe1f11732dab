"""A person's privacy pages, and the browser's CSP violation reports."""

from django.urls import path

from . import csp, views

app_name = "privacy"
urlpatterns = [
    path("privacy/consents/", views.consents, name="consents"),
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("privacy/my-data.json", views.my_data_json, name="my_data_json"),
    path("csp-report/", csp.report, name="csp_report"),
]
