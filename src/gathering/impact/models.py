"""The annual report's own words, and whether it is published on the public "Our impact" page.

The figures themselves are not stored: they are counted from the activities' own rows (figures.py) and kept
in the cache until something they count changes (selectors.py).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AnnualReportQuerySet(models.QuerySet):
    def published(self) -> "AnnualReportQuerySet":
        return self.filter(published_at__isnull=False)


class AnnualReport(models.Model):
    """One year's report: the organisers' narrative under the headings of a community interest company's
    annual report, and the moment it was published (None: organisers only)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    activities = models.TextField(
        _("Our activities and the benefit to the community"),
        blank=True,
        help_text=_("What the network did this year, and how it made a difference to the people it serves."),
    )
    consultation = models.TextField(
        _("How we consulted the people we serve"),
        blank=True,
        help_text=_(
            "Who you listened to and how, what they told you (the feedback received), and what changed."
        ),
    )
    other = models.TextField(
        _("Anything else"),
        blank=True,
        help_text=_("Anything else you want to report, such as thanks to funders and partners."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ("-year",)
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")

    def __str__(self) -> str:
        return str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("impact_staff:report", args=[self.year])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
