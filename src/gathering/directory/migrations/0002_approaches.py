"""Our taxonomy of approaches and its terms, with ids that are the same in every installation."""

import uuid

from django.db import migrations

# A frozen copy of gathering.directory.approaches at the time of this migration.
NAMESPACE = uuid.UUID("3ec16ca3-583e-4192-98e1-ad655c1307fd")
TAXONOMY = {
    "name": "Gathering approaches",
    "description": "Compassionate, relational and peer-led approaches to mental distress that services in our network offer.",
    "version": "1",
}
TERMS = (
    (
        "peer-respite",
        "Peer respite",
        "A short stay in a home-like house run by people with lived experience, as an alternative to hospital in a crisis.",
    ),
    (
        "open-dialogue",
        "Open Dialogue",
        "Network meetings with the person, their family and friends and the team, held early and often, where every voice is heard.",
    ),
    (
        "hearing-voices",
        "Hearing Voices",
        "Groups and support that accept hearing voices and other unusual experiences as meaningful, run in the spirit of the Hearing Voices Movement.",
    ),
    (
        "crisis-cafe",
        "Crisis café",
        "A welcoming place to go in the evening or at night when things get too much, as an alternative to A&E.",
    ),
    (
        "soteria",
        "Soteria",
        "A small, calm household where people going through psychosis are accompanied by staff, with little or no medication when they choose.",
    ),
    (
        "recovery-college",
        "Recovery college",
        "Courses on mental health and recovery, designed and taught together by people with lived experience and professionals.",
    ),
    (
        "peer-support-group",
        "Peer support group",
        "A regular group where people with shared experience support each other.",
    ),
    (
        "trauma-informed",
        "Trauma-informed",
        "Support that asks what happened to someone rather than what is wrong with them, and works to avoid harm and restore choice.",
    ),
    (
        "arts-and-creative",
        "Arts and creative",
        "Making art, music, writing or theatre together as a way through distress.",
    ),
    (
        "family-and-carers",
        "Family and carers",
        "Support for the families, friends and carers of someone going through a hard time.",
    ),
)


def create(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    taxonomy_id = uuid.uuid5(NAMESPACE, "taxonomy")
    Taxonomy.objects.update_or_create(id=taxonomy_id, defaults=TAXONOMY)
    for code, name, description in TERMS:
        TaxonomyTerm.objects.update_or_create(
            id=uuid.uuid5(NAMESPACE, f"term:{code}"),
            defaults={
                "code": code,
                "name": name,
                "description": description,
                "taxonomy": TAXONOMY["name"],
                "taxonomy_detail_id": taxonomy_id,
                "language": "en",
            },
        )


def remove(apps, schema_editor):
    apps.get_model("directory", "TaxonomyTerm").objects.filter(
        taxonomy_detail_id=uuid.uuid5(NAMESPACE, "taxonomy")
    ).delete()
    apps.get_model("directory", "Taxonomy").objects.filter(id=uuid.uuid5(NAMESPACE, "taxonomy")).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
