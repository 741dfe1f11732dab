"""Our taxonomy of the ways into a service (self-referral, online, by phone, drop-in), with ids that are the
same in every installation."""

import uuid

from django.db import migrations

# A frozen copy of gathering.directory.access at the time of this migration.
NAMESPACE = uuid.UUID("3ec16ca3-583e-4192-98e1-ad655c1307fd")
TAXONOMY_ID = uuid.uuid5(NAMESPACE, "access-taxonomy")
TAXONOMY = {
    "name": "Gathering ways in",
    "description": "How a person can get support from a service: on their own, online, by phone or by dropping in.",
    "version": "1",
}
TERMS = (
    (
        "self-referral",
        "Self-referral",
        "You can ask for this support yourself: no referral from a doctor or another service is needed.",
    ),
    ("online", "Online", "The support is offered online: by video, chat or an online group."),
    ("phone", "By phone", "You can get the support by phone."),
    ("drop-in", "Drop-in", "You can turn up while it is open, without an appointment."),
)


def create(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    Taxonomy.objects.update_or_create(id=TAXONOMY_ID, defaults=TAXONOMY)
    for code, name, description in TERMS:
        TaxonomyTerm.objects.update_or_create(
            id=uuid.uuid5(NAMESPACE, f"access:{code}"),
            defaults={
                "code": code,
                "name": name,
                "description": description,
                "taxonomy": TAXONOMY["name"],
                "taxonomy_detail_id": TAXONOMY_ID,
                "language": "en",
            },
        )


def remove(apps, schema_editor):
    apps.get_model("directory", "TaxonomyTerm").objects.filter(taxonomy_detail_id=TAXONOMY_ID).delete()
    apps.get_model("directory", "Taxonomy").objects.filter(id=TAXONOMY_ID).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_change_report")]

    operations = [migrations.RunPython(create, remove)]
