"""Ticket names are unique per Gathering, whatever their case. Names already repeated are told apart first
("Standard", "Standard (2)") so the constraint can be added to an existing database."""

import django.db.models.functions.text
from django.db import migrations, models


def tell_repeated_names_apart(apps, schema_editor):
    TicketType = apps.get_model("events", "TicketType")
    seen: dict[tuple[int, str], int] = {}
    taken = {(t.event_id, t.name.lower()) for t in TicketType.objects.only("event_id", "name")}
    for ticket in TicketType.objects.order_by("event_id", "position", "pk").only("event_id", "name"):
        key = (ticket.event_id, ticket.name.lower())
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 1:
            continue
        n = seen[key]
        while True:
            suffix = f" ({n})"
            name = ticket.name[: 120 - len(suffix)] + suffix
            if (ticket.event_id, name.lower()) not in taken:
                break
            n += 1
        taken.add((ticket.event_id, name.lower()))
        ticket.name = name
        ticket.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_venue_created_by"),
    ]

    operations = [
        migrations.RunPython(tell_repeated_names_apart, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="tickettype",
            constraint=models.UniqueConstraint(
                models.F("event"),
                django.db.models.functions.text.Lower("name"),
                name="events_tickettype_name_unique_per_event",
            ),
        ),
    ]
