"""Find support: the directory's public pages (anyone, no sign-in needed)."""

from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.find_support, name="search"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/report/", views.report_change, name="report"),
    path("services/<uuid:service_id>/report/sent/", views.report_sent, name="report_sent"),
    path("approaches/", views.approach_list, name="approaches"),
    path("approaches/<slug:code>/", views.approach_detail, name="approach"),
]
