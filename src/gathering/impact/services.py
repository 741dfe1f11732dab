"""Writing the annual report's narrative and publishing it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gathering.accounts.models import User

from .models import AnnualReport

FIRST_YEAR = 2000


def report_for_year(*, year: int) -> AnnualReport:
    """The year's report, unsaved and empty when nobody has written it yet."""
    if not FIRST_YEAR <= year <= timezone.now().year + 1:
        raise ValidationError(_("There is no report for that year."))
    return AnnualReport.objects.filter(year=year).first() or AnnualReport(year=year)


@transaction.atomic
def report_save(*, actor: User, year: int, activities: str, consultation: str, other: str) -> AnnualReport:
    report = report_for_year(year=year)
    report.activities, report.consultation, report.other = activities, consultation, other
    report.updated_by = actor
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_publish(*, actor: User, year: int, publish: bool) -> AnnualReport:
    """Show the year's figures and words on the public "Our impact" page, or take them down."""
    report = report_for_year(year=year)
    report.published_at = timezone.now() if publish else None
    report.updated_by = actor
    report.save()
    return report
