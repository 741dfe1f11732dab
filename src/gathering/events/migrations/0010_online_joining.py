"""Online and hybrid Gatherings: joining details beside the link, and a record of each reminder sent."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_event_calendar_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="online_join_details",
            field=models.TextField(
                blank=True,
                help_text="Anything else people need to join, such as a meeting ID or passcode.",
                verbose_name="joining details",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="online_join_url",
            field=models.URLField(
                blank=True,
                help_text="Needed for an online or hybrid Gathering. Only people with a confirmed place see it: in their confirmation, on My Gatherings and in reminders.",
                verbose_name="online joining link",
            ),
        ),
        migrations.CreateModel(
            name="OnlineReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("hours_before", models.PositiveIntegerField()),
                ("sent_at", models.DateTimeField()),
                (
                    "registration",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="online_reminders",
                        to="events.registration",
                    ),
                ),
            ],
            options={
                "verbose_name": "online reminder",
                "verbose_name_plural": "online reminders",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("registration", "hours_before"),
                        name="events_onlinereminder_once_per_registration",
                    )
                ],
            },
        ),
    ]
