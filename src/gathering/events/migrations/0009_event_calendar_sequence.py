"""iCalendar SEQUENCE for Gatherings: raised on each change of time, place, format or status."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_ticket_name_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="calendar revision"),
        ),
    ]
