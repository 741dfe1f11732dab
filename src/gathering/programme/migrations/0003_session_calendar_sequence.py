"""iCalendar SEQUENCE for programme sessions: raised when a session moves or its slot changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0002_move_cost_help"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="calendar revision"),
        ),
    ]
