"""The network directory's records, shaped like Open Referral's Human Services Data Specification (HSDS 3.0).

Each model is one HSDS table, with the standard's field names and UUID primary keys (kept from imports).
A child record may hang from several parents at once, as in HSDS's tables: one phone row can be listed
under a service, its location and its organisation. Attributes and metadata point at any record through
`link_id`/`resource_id` plus `entity`, the table that id belongs to. Text the standard leaves optional is
stored as "" when absent. Our own fields (the network relation, `time_zone`, `verified_at`) are not part of
HSDS and never travel in its documents.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .entities import Entity
from .querysets import (
    OrganizationQuerySet,
    SearchEntryQuerySet,
    ServiceAtLocationQuerySet,
    ServiceQuerySet,
    TaxonomyQuerySet,
    TaxonomyTermQuerySet,
)

DEFAULT_TIME_ZONE = "Europe/London"

# Coordinates: seven decimal places are about a centimetre; three whole digits hold any longitude.
COORDINATE = {"max_digits": 10, "decimal_places": 7, "null": True, "blank": True}


def text(verbose_name: str) -> models.TextField:
    return models.TextField(verbose_name, blank=True, default="")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("A place people can visit")
    POSTAL = "postal", _("A postal address")
    VIRTUAL = "virtual", _("Online")


class Organization(models.Model):
    class Relation(models.TextChoices):
        NONE = "", _("No relation")
        PARTNER = "partner", _("Partner")
        FRIEND = "friend", _("Friend")
        ALIGNED = "aligned", _("Aligned organisation")

    id = models.UUIDField(primary_key=True)
    name = models.TextField(_("name"))
    alternate_name = text(_("other name"))
    description = text(_("description"))
    email = text(_("email"))
    website = text(_("website"))
    tax_status = text(_("tax status"))
    tax_id = text(_("tax identifier"))
    year_incorporated = models.IntegerField(_("year incorporated"), null=True, blank=True)
    legal_status = text(_("legal status"))
    logo = text(_("logo"))
    uri = text(_("persistent identifier"))
    # May name an organisation that is not in the directory, so it is an id, not a foreign key.
    parent_organization_id = models.UUIDField(_("parent organisation"), null=True, blank=True)
    network_relation = models.CharField(
        _("relation to our network"), max_length=10, choices=Relation.choices, blank=True, default=""
    )
    # HSDS has a logo but no words for it; without them the logo is never shown (`logo_shown`).
    logo_alt = text(_("what the logo shows, in words"))

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["network_relation"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.logo.strip() and not self.logo_alt.strip():
            raise ValidationError(
                {"logo_alt": _("Say in a few words what the logo shows, for people who cannot see it")}
            )

    @property
    def logo_shown(self) -> bool:
        """Whether the logo can be shown: it has words for people who cannot see it."""
        return bool(self.logo.strip() and self.logo_alt.strip())


class Program(models.Model):
    id = models.UUIDField(primary_key=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="programs"
    )
    name = models.TextField(_("name"))
    alternate_name = text(_("other name"))
    description = text(_("description"))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    id = models.UUIDField(primary_key=True)
    location_type = models.CharField(_("type"), max_length=10, choices=LocationType.choices)
    url = text(_("web address"))
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="locations"
    )
    name = text(_("name"))
    alternate_name = text(_("other name"))
    description = text(_("description"))
    transportation = text(_("getting there"))
    latitude = models.DecimalField(_("latitude"), **COORDINATE)
    longitude = models.DecimalField(_("longitude"), **COORDINATE)
    external_identifier = text(_("external identifier"))
    external_identifier_type = text(_("external identifier type"))
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Closed for good")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    # The statuses the public sees (Service.objects.listed()); see querysets.ServiceQuerySet.listed.
    LISTED = (Status.ACTIVE, Status.TEMPORARILY_CLOSED)

    id = models.UUIDField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="services"
    )
    name = models.TextField(_("name"))
    alternate_name = text(_("other name"))
    description = text(_("description"))
    url = text(_("web address"))
    email = text(_("email"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    interpretation_services = text(_("interpretation"))
    application_process = text(_("how to get this service"))
    fees_description = text(_("fees"))
    wait_time = text(_("waiting time"))
    fees = text(_("fees (old field)"))
    accreditations = text(_("accreditations"))
    eligibility_description = text(_("who it is for"))
    minimum_age = models.DecimalField(_("minimum age"), max_digits=5, decimal_places=2, null=True, blank=True)
    maximum_age = models.DecimalField(_("maximum age"), max_digits=5, decimal_places=2, null=True, blank=True)
    assured_date = models.DateField(_("assured by its source on"), null=True, blank=True)
    assurer_email = text(_("assured by"))
    licenses = text(_("licences"))
    alert = text(_("alert"))
    last_modified = models.DateTimeField(_("last modified at the source"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    # When someone in our network last checked the listing; `assured_date` is what the source says.
    verified_at = models.DateTimeField(_("last checked by us"), null=True, blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["status", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_listed(self) -> bool:
        return self.status in self.LISTED


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = text(_("description"))

    objects = ServiceAtLocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")
        ordering = ["service", "location", "id"]
        indexes = [models.Index(fields=["location", "service"])]

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class SearchEntry(models.Model):
    """The search's own index (search_index.py): for each listed service at each of its places with
    coordinates, one row for any approach (`approach` empty) and one for each of its approaches, holding
    what "Find support" filters on, so that a search by place (and approach) reads one range of one index
    and one table instead of joining five. Derived data, rebuilt from the records it reflects."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="search_entries")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="search_entries")
    # The approach term's id as 32 hex digits; empty on the row that stands for any approach.
    approach = models.CharField(_("approach"), max_length=32, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7)
    longitude = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7)
    # For nearest-first results in a fixed order when two are as near: then by name.
    name = models.TextField(_("name"))
    # The ids of the service's approach and ways-in terms, as 32 hex digits each, between spaces.
    terms = models.TextField(_("terms"), blank=True, default="")
    free = models.BooleanField(_("free to use"), default=False)
    # What a word is looked for in (ServiceQuerySet.SEARCHED_FIELDS), lower-cased, one field to a line.
    words = models.TextField(_("words"), blank=True, default="")

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [models.Index(fields=["approach", "latitude", "longitude"])]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location", "approach"], name="directory_search_entry_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Address(models.Model):
    class Type(models.TextChoices):
        PHYSICAL = "physical", _("Where the place is")
        POSTAL = "postal", _("For post")
        VIRTUAL = "virtual", _("Online")

    id = models.UUIDField(primary_key=True)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = text(_("for the attention of"))
    address_1 = text(_("address line 1"))
    address_2 = text(_("address line 2"))
    city = text(_("town or city"))
    region = text(_("region"))
    state_province = text(_("county"))
    postal_code = text(_("postcode"))
    country = text(_("country"))
    address_type = models.CharField(_("type"), max_length=10, choices=Type.choices)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["id"]
        indexes = [models.Index(fields=["postal_code"])]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.address_1, self.city, self.postal_code) if part)


class Contact(models.Model):
    id = models.UUIDField(primary_key=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    name = text(_("name"))
    title = text(_("job title"))
    department = text(_("department"))
    email = text(_("email"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Phone(models.Model):
    id = models.UUIDField(primary_key=True)
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.SET_NULL, null=True, blank=True, related_name="phones"
    )
    number = models.TextField(_("number"))
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = text(_("type"))
    description = text(_("description"))

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.number


class Schedule(models.Model):
    """Opening hours as an RFC 5545 recurrence, the way HSDS describes them."""

    class Weekday(models.TextChoices):
        MO = "MO", _("Monday")
        TU = "TU", _("Tuesday")
        WE = "WE", _("Wednesday")
        TH = "TH", _("Thursday")
        FR = "FR", _("Friday")
        SA = "SA", _("Saturday")
        SU = "SU", _("Sunday")

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", _("Every week")
        MONTHLY = "MONTHLY", _("Every month")

    id = models.UUIDField(primary_key=True)
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.SET_NULL, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    dtstart = models.DateField(_("first day"), null=True, blank=True)
    # HSDS's own field: an offset from UTC in hours. The IANA time zone is on the service and location.
    timezone = models.DecimalField(_("UTC offset"), max_digits=4, decimal_places=2, null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveIntegerField(_("number of times"), null=True, blank=True)
    wkst = models.CharField(
        _("week starts on"), max_length=2, choices=Weekday.choices, blank=True, default=""
    )
    freq = models.CharField(_("repeats"), max_length=7, choices=Frequency.choices, blank=True, default="")
    interval = models.PositiveIntegerField(_("interval"), null=True, blank=True)
    byday = text(_("days"))
    byweekno = text(_("weeks of the year"))
    bymonthday = text(_("days of the month"))
    byyearday = text(_("days of the year"))
    description = text(_("description"))
    # Clock times as published ("09:30", "09:30:00", "22:00+01:00", "24:00"): kept as text so that a
    # stated offset survives; opening.py reads them.
    opens_at = models.CharField(_("opens at"), max_length=40, blank=True, default="")
    closes_at = models.CharField(_("closes at"), max_length=40, blank=True, default="")
    schedule_link = text(_("link"))
    attending_type = text(_("how to attend"))
    notes = text(_("notes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or str(self.id)


class ServiceArea(models.Model):
    id = models.UUIDField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = text(_("name"))
    description = text(_("description"))
    extent = text(_("extent"))
    extent_type = text(_("extent type"))
    uri = text(_("identifier"))
    service_area = text(_("area served (UK profile)"))

    class Meta:
        verbose_name = _("area served")
        verbose_name_plural = _("areas served")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Language(models.Model):
    id = models.UUIDField(primary_key=True)
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, on_delete=models.SET_NULL, null=True, blank=True, related_name="languages"
    )
    name = text(_("name"))
    code = text(_("code"))
    note = text(_("note"))

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or self.code or str(self.id)


class Accessibility(models.Model):
    id = models.UUIDField(primary_key=True)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = text(_("description"))
    details = text(_("details"))
    url = text(_("web address"))
    accessibility = text(_("accessibility (UK profile)"))

    class Meta:
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or str(self.id)


class CostOption(models.Model):
    id = models.UUIDField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    option = text(_("option"))
    currency = text(_("currency"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=4, null=True, blank=True)
    amount_description = text(_("amount described"))

    class Meta:
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.option or str(self.id)


class Funding(models.Model):
    id = models.UUIDField(primary_key=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="funding"
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="funding"
    )
    source = text(_("source"))

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.source[:60] or str(self.id)


class RequiredDocument(models.Model):
    id = models.UUIDField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="required_documents")
    document = text(_("document"))
    uri = text(_("web address"))

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.document[:60] or str(self.id)


class OrganizationIdentifier(models.Model):
    id = models.UUIDField(primary_key=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_identifiers"
    )
    identifier_scheme = text(_("scheme"))
    identifier_type = text(_("type"))
    identifier = text(_("identifier"))

    class Meta:
        verbose_name = _("organisation identifier")
        verbose_name_plural = _("organisation identifiers")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.identifier_scheme} {self.identifier}".strip()


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True)
    name = models.TextField(_("name"))
    description = text(_("description"))
    uri = text(_("web address"))
    version = text(_("version"))

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True)
    code = text(_("code"))
    name = models.TextField(_("name"))
    description = text(_("description"))
    # Often names a term outside the directory (a broader term of a published taxonomy): an id only.
    parent_id = models.UUIDField(_("broader term"), null=True, blank=True)
    # HSDS's `taxonomy` is the taxonomy's name as text; `taxonomy_id` is this foreign key's column.
    taxonomy = text(_("taxonomy name"))
    taxonomy_detail = models.ForeignKey(
        Taxonomy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_column="taxonomy_id",
        related_name="taxonomy_terms",
    )
    language = text(_("language"))
    term_uri = text(_("web address"))
    term = text(_("term (UK profile)"))

    objects = TaxonomyTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["taxonomy_detail", "code"])]

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """A taxonomy term applied to one record: `entity` says which table `link_id` is in."""

    id = models.UUIDField(primary_key=True)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, null=True, blank=True, related_name="attributes"
    )
    link_id = models.UUIDField(_("record"))
    entity = models.CharField(_("kind of record"), max_length=30, choices=Entity.choices)
    # HSDS's own words for the link, kept as the source wrote them (they are free text in the standard).
    link_type = text(_("link type"))
    link_entity = text(_("linked table, as written"))
    value = text(_("value"))

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["entity", "link_id"]),
            models.Index(fields=["taxonomy_term", "entity", "link_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.link_id}"


class Metadata(models.Model):
    """One change recorded for a record, as HSDS keeps provenance."""

    id = models.UUIDField(primary_key=True)
    resource_id = models.UUIDField(_("record"))
    entity = models.CharField(_("kind of record"), max_length=30, choices=Entity.choices)
    resource_type = text(_("table, as written"))
    last_action_date = models.DateField(_("date"))
    last_action_type = text(_("action"))
    field_name = text(_("field"))
    previous_value = text(_("previous value"))
    replacement_value = text(_("new value"))
    updated_by = text(_("changed by"))

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["id"]
        indexes = [models.Index(fields=["entity", "resource_id"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.resource_id} {self.field_name}"


class ChangeReport(models.Model):
    """Someone told us that a listing is wrong or out of date ("Report a change" on the service page).
    Not HSDS: organisers read these and correct the listing. `reply_email` is personal data, given only by
    those who want an answer."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        DONE = "done", _("Dealt with")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="change_reports")
    details = models.TextField(_("what is wrong"))
    reply_email = models.EmailField(_("email for a reply"), blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # Set when an organiser marks the report dealt with (directory/moderation.py); the reply address is
    # cleared then, as it is no longer needed.
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("dealt with at"), null=True, blank=True)
    note = models.TextField(_("what was done"), blank=True, default="")

    class Meta:
        verbose_name = _("change report")
        verbose_name_plural = _("change reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.service_id} {self.created_at:%Y-%m-%d}"


class ApproachPage(models.Model):
    """The words on an approach's public page (`/find-support/approaches/<code>/`), one per term of our
    approaches taxonomy. Not HSDS: organisers write them, in Markdown that is sanitised when shown."""

    term = models.OneToOneField(
        TaxonomyTerm, on_delete=models.CASCADE, primary_key=True, related_name="approach_page"
    )
    summary = models.CharField(_("summary in one line"), max_length=200)
    what_it_is = text(_("what it is"))
    first_contact = text(_("what a first contact looks like"))
    evidence = text(_("the evidence and the people behind it"))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # SET_NULL: deleting an account keeps the page; the audit log says who changed it.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("approach page")
        verbose_name_plural = _("approach pages")

    def __str__(self) -> str:
        return str(self.term_id)


# --- Partners and moderation (not HSDS) --------------------------------------------------------------------


class OrganizationMember(models.Model):
    """Someone who acts for an organisation in the directory: they propose new services and changes to its
    listings, confirm that listings are still correct, and get the reminders to check them. Organisers add
    members (directory/moderation.py)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_memberships"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        ordering = ["organization", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="directory_member_once")]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.user_id}"


class OrganizationInvitation(models.Model):
    """An organiser's invitation, by email, to act for an organisation, for an address with no account yet.
    The person accepts it once signed in with that (verified) address; then the invitation is deleted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation invitation")
        verbose_name_plural = _("organisation invitations")
        ordering = ["organization", "email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="directory_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.email}"


class ServiceProposal(models.Model):
    """A member's proposed new service, or change to one of their organisation's services, waiting for an
    organiser. `document` is the proposed HSDS service document (checked against the schemas when it was
    made); `base` is what the listing said then (None for a new service), and `changed` names the parts the
    member changed (directory/proposals.py), which are all that approving it writes."""

    class Kind(models.TextChoices):
        EDIT = "edit", _("Change to a service")
        NEW = "new", _("New service")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an organiser")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="proposals")
    # The service changed; for a new service, set once it is approved and exists.
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="proposals"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    document = models.JSONField(_("proposed listing"))
    base = models.JSONField(_("listing when proposed"), null=True, blank=True)
    changed = models.JSONField(_("parts changed"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_proposals",
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")

    class Meta:
        verbose_name = _("proposed change to a listing")
        verbose_name_plural = _("proposed changes to listings")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.document.get('name', '')}"

    @property
    def name(self) -> str:
        """The service's name as proposed."""
        return str(self.document.get("name", ""))

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class CheckReminder(models.Model):
    """When an organisation's members were last reminded that a listing needs checking (directory/jobs.py),
    so that each listing is in a reminder at most once in 30 days."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="check_reminder"
    )
    sent_at = models.DateTimeField(_("reminded at"))

    class Meta:
        verbose_name = _("reminder to check a listing")
        verbose_name_plural = _("reminders to check listings")

    def __str__(self) -> str:
        return f"{self.service_id} {self.sent_at:%Y-%m-%d}"
