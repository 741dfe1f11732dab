"""The REST API: /api/v1/ with its OpenAPI schema, shared authentication, errors and pagination."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "gathering.api"
    label = "api"
    verbose_name = _("API")
