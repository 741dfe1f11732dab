"""The HSDS tables a record can belong to, apart from the models so that their query conditions
(querysets.py) can name them without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Entity"]


class Entity(models.TextChoices):
    """The HSDS tables a record can belong to: what an attribute's or a metadata row's id points at."""

    ORGANIZATION = "organization", _("Organisation")
    PROGRAM = "program", _("Programme")
    SERVICE = "service", _("Service")
    LOCATION = "location", _("Location")
    SERVICE_AT_LOCATION = "service_at_location", _("Service at a location")
    ADDRESS = "address", _("Address")
    PHONE = "phone", _("Phone")
    CONTACT = "contact", _("Contact")
    SCHEDULE = "schedule", _("Opening hours")
    SERVICE_AREA = "service_area", _("Area served")
    LANGUAGE = "language", _("Language")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    COST_OPTION = "cost_option", _("Cost")
    FUNDING = "funding", _("Funding")
    REQUIRED_DOCUMENT = "required_document", _("Required document")
    ORGANIZATION_IDENTIFIER = "organization_identifier", _("Organisation identifier")
    TAXONOMY = "taxonomy", _("Taxonomy")
    TAXONOMY_TERM = "taxonomy_term", _("Taxonomy term")
    ATTRIBUTE = "attribute", _("Attribute")
