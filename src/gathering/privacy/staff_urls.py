"""The audit log under /staff/audit/, behind the staff MFA middleware."""

from django.urls import path

from . import staff_views

app_name = "audit"
urlpatterns = [path("", staff_views.audit, name="list")]
