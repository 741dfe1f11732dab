"""The pages of our approaches, with the network's starting text for each, and the words for an
organisation's logo."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# A frozen copy of the namespace in gathering.directory.approaches at the time of this migration.
NAMESPACE = uuid.UUID("3ec16ca3-583e-4192-98e1-ad655c1307fd")

# The starting text of each page: (code, summary, what it is, a first contact, the evidence). Organisers
# change it on the staff pages; this is only where it begins.
PAGES = (
    (
        "peer-respite",
        "A short stay in a home-like house run by people who have been through crisis themselves.",
        "A peer respite is a house in the community where someone going through a mental health crisis can "
        "stay for a few days or nights, as an alternative to hospital. It is run by peer workers: people "
        "with their own lived experience of crisis, who are there to listen and keep company rather than "
        "to diagnose or treat.\n\n"
        "Staying is voluntary. Guests keep their own routines as far as they can, come and go, and stay in "
        "touch with the people and services they already know.",
        "You usually contact the house yourself, by phone or through its website, and talk with a peer "
        "worker about what is happening and whether a stay would help. If a room is free, you agree the "
        "length of the stay together. Many houses also offer a conversation or a visit first, so you know "
        "who you will meet.",
        "- Peer respites began in the United States, as alternatives to hospital run by people with lived "
        "experience of the mental health system.\n"
        "- Research is still limited and comes mostly from the United States. A study of the 2nd Story "
        "peer respite in California (Croft and Isvan, *Psychiatric Services*, 2015) found that guests "
        "used inpatient and emergency services less afterwards than similar people who did not stay.\n"
        "- In the UK, survivor-led crisis services such as Leeds Survivor Led Crisis Service (Dial House) "
        "work in a similar spirit.",
    ),
    (
        "open-dialogue",
        "Meetings with you and the people who matter to you, held early and often, where every voice is "
        "heard.",
        "Open Dialogue is a way of organising mental health care around network meetings: the person in "
        "distress, the family, friends or others they choose, and a small team who stay with them "
        "throughout. Decisions about care are talked through and made in the meeting, in front of "
        "everyone, rather than elsewhere.\n\n"
        "The team tries to respond quickly, to tolerate not knowing the answer straight away, and to make "
        "sure that everyone in the room is heard.",
        "Where a team works this way, it aims to meet within a day of the first call, often at home. Two "
        "or more members of the team come. You decide who else is there. The first meeting is a "
        "conversation about what is happening and what would help; nothing is decided without you.",
        "- Open Dialogue was developed from the 1980s in Western Lapland, Finland, by Jaakko Seikkula, "
        "Birgitta Alakare and their colleagues at Keropudas Hospital in Tornio.\n"
        "- Follow-up studies from Western Lapland reported good outcomes for people with a first episode "
        "of psychosis, but they were not randomised trials.\n"
        "- In the UK, the ODDESSI trial, led by University College London and funded by the National "
        "Institute for Health and Care Research (NIHR), was set up to compare peer-supported Open "
        "Dialogue with usual care in NHS services.",
    ),
    (
        "hearing-voices",
        "Groups and support that accept hearing voices and other unusual experiences as real and meaningful.",
        "Hearing Voices groups are peer support groups for people who hear voices, see visions or have "
        "other unusual experiences. They start from the idea that these experiences are real to the "
        "person and can make sense in the light of their life, and that people can learn to live well "
        "with them.\n\n"
        "Groups are usually run by people who hear voices themselves, sometimes with a worker. You do not "
        "need a diagnosis, and you can talk about your experiences in your own words.",
        "Many groups let you simply come along; some ask you to get in touch first so that someone can "
        "welcome you. You do not have to speak at your first meeting. What is said in the group stays in "
        "the group.",
        "- The Hearing Voices Movement began in the Netherlands in the late 1980s with psychiatrist Marius "
        "Romme, researcher Sandra Escher and voice hearer Patsy Hage. Their book *Accepting Voices* was "
        "published in 1993.\n"
        "- The Hearing Voices Network in England was founded in 1988 and keeps a list of groups. Intervoice "
        "links networks around the world.\n"
        "- Research on the groups is mostly small studies and surveys of members, which report that people "
        "value them; there are no large controlled trials yet.",
    ),
    (
        "crisis-cafe",
        "A welcoming place to go in the evening or at night when things get too much, instead of A&E.",
        "A crisis café, sometimes called a safe haven or sanctuary, is a calm, non-clinical place where you "
        "can go when you are struggling, usually in the evenings and at night when other services are "
        "closed. You can talk with someone, have a hot drink and some quiet, and make a plan for the next "
        "few hours or days.\n\n"
        "Many are run by voluntary organisations, often with peer workers, working alongside the local NHS.",
        "Some cafés are drop-in; others ask you to phone first or come through a helpline. Someone will "
        "welcome you and ask what has brought you there tonight. You can stay a while, and leave when you "
        "are ready.",
        "- Safe havens and crisis cafés spread in England in the 2010s; the Safe Haven in Aldershot was "
        "among the first.\n"
        "- England's Mental Health Crisis Care Concordat (2014) and the NHS Long Term Plan (2019) both "
        "support alternatives to A&E for people in crisis.\n"
        "- Evidence comes mainly from local evaluations, which report that people value them. Research "
        "comparing them with other crisis care is still limited.",
    ),
    (
        "soteria",
        "A small, calm household where people going through psychosis are accompanied, with little or no "
        "medication when they choose.",
        "A Soteria house is a small, home-like place where people going through an episode of psychosis, "
        "often for the first time, can stay. Staff spend time being with residents rather than treating "
        "them, and try to understand the experience together with them.\n\n"
        "Medication is used sparingly, and only when the person and the team agree it would help.",
        "You, or someone supporting you, contact the house to talk about whether a stay would suit you. "
        "There is usually a meeting first so you can see the house and meet the people there. Places are "
        "few, and each house says who it can take.",
        "- The first Soteria house was opened in 1971 in California by psychiatrist Loren Mosher and his "
        "colleagues. Soteria Bern, founded by Luc Ciompi in Switzerland in 1984, followed.\n"
        "- A systematic review by Calton and colleagues (*Schizophrenia Bulletin*, 2008) found that the "
        "evidence is limited but suggests results comparable to usual hospital care for people with a "
        "first episode of psychosis, with less use of medication.\n"
        "- Soteria Network UK brings together people working to open Soteria houses in the UK.",
    ),
    (
        "recovery-college",
        "Courses about mental health and recovery, designed and taught together by people with lived "
        "experience and professionals.",
        "A recovery college offers free courses and workshops on mental health, wellbeing and living well, "
        "run like a college rather than a clinic. Each course is written and taught together by a trainer "
        "with lived experience and a trainer with professional experience.\n\n"
        "People who use services, their families and friends, and staff learn side by side as students.",
        "You usually enrol yourself: look at the prospectus, choose a course and sign up online, by phone "
        "or in person. No referral is needed at most colleges. Some colleges offer a chat with a learning "
        "adviser first to help you choose.",
        "- The first recovery colleges opened in England around 2010, among them in South West London and "
        "in Nottingham. ImROC (Implementing Recovery through Organisational Change) has published "
        "guidance on how to run them.\n"
        "- Research is growing but mostly observational. The RECOLLECT study at the University of "
        "Nottingham, funded by the NIHR, has looked at what recovery colleges do and how they help.",
    ),
    (
        "peer-support-group",
        "A regular group where people with shared experience support each other.",
        "A peer support group is a regular meeting of people who have something in common, such as living "
        "with depression, surviving a suicide attempt or caring for someone, who support each other as "
        "equals. It is usually facilitated by someone who shares that experience.\n\n"
        "The group is not therapy: people share what has helped them, listen, and are listened to.",
        "You can usually come along, or get in touch with the facilitator first if you would like to know "
        "what to expect. At the start, the group often agrees how it works: what is said stays in the "
        "room, and nobody has to speak.",
        "- Mind's Side by Side programme, evaluated with St George's, University of London and the McPin "
        "Foundation, studied community peer support in England and set out principles for doing it well.\n"
        "- Research on peer support shows mixed results on clinical measures; people often report "
        "feeling less alone, more hopeful and more in control.",
    ),
    (
        "trauma-informed",
        "Support that asks what happened to someone rather than what is wrong with them.",
        "A trauma-informed service recognises how common trauma is and how it can shape people's lives and "
        "reactions. It tries to make every contact feel safe, to be trustworthy and open, to offer choice "
        "and control, and to avoid doing anything that repeats past harm.\n\n"
        "It is a way of working across a whole organisation, not a single treatment.",
        "A first contact should explain what will happen and why, ask what would help you feel safe, and "
        "let you choose what you share and when. You should not have to tell your story again and again.",
        "- In the United States, SAMHSA's guidance on a trauma-informed approach (2014) sets out its "
        "principles, among them safety, trustworthiness, collaboration, and empowerment, voice and choice.\n"
        "- In England, the Office for Health Improvement and Disparities published a working definition of "
        "trauma-informed practice in 2022. In Scotland, NHS Education for Scotland leads the National "
        "Trauma Transformation Programme.\n"
        "- The Adverse Childhood Experiences (ACE) study by Felitti and colleagues (1998) showed links "
        "between hard experiences in childhood and health later in life. Evaluations of trauma-informed "
        "services themselves are still few.",
    ),
    (
        "arts-and-creative",
        "Making art, music, writing or theatre together as a way through distress.",
        "Arts and creative groups offer a chance to make something: painting, music, writing, theatre, "
        "dance, crafts or photography. They are often led by artists, sometimes by arts therapists, and "
        "focus on doing and making together rather than on talking about problems.\n\n"
        "No experience or talent is needed.",
        "You can usually join a session or a course by getting in touch with the group; some take "
        "referrals through social prescribing, but many do not need one. The first session is a chance "
        "to try it and see how it feels.",
        "- The World Health Organization's Regional Office for Europe published a review of the evidence "
        "on the arts, health and wellbeing in 2019 (Fancourt and Finn).\n"
        "- In the UK, the All-Party Parliamentary Group on Arts, Health and Wellbeing set out the case in "
        "its report *Creative Health* (2017).",
    ),
    (
        "family-and-carers",
        "Support for the families, friends and carers of someone going through a hard time.",
        "When someone is struggling, the people close to them often struggle too. Support for families, "
        "friends and carers can mean groups with others in the same position, information about services "
        "and rights, someone to talk to, and help to be heard by the professionals involved.\n\n"
        "Some services also work with the whole family together.",
        "You can usually contact a carers' service yourself; you do not need the permission of the person "
        "you care for. A first conversation is about how things are for you and what would help.",
        "- In England, the Care Act 2014 gives carers the right to an assessment of their own needs.\n"
        "- The National Institute for Health and Care Excellence (NICE) recommends family intervention for "
        "people with psychosis and their families (guideline CG178, 2014).\n"
        "- The Triangle of Care, from Carers Trust, is a guide for mental health services on working with "
        "carers as partners.",
    ),
)


def create(apps, schema_editor):
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    ApproachPage = apps.get_model("directory", "ApproachPage")
    for code, summary, what_it_is, first_contact, evidence in PAGES:
        term_id = uuid.uuid5(NAMESPACE, f"term:{code}")
        if not TaxonomyTerm.objects.filter(pk=term_id).exists():
            continue
        ApproachPage.objects.update_or_create(
            term_id=term_id,
            defaults={
                "summary": summary,
                "what_it_is": what_it_is,
                "first_contact": first_contact,
                "evidence": evidence,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_access"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="logo_alt",
            field=models.TextField(blank=True, default="", verbose_name="what the logo shows, in words"),
        ),
        migrations.CreateModel(
            name="ApproachPage",
            fields=[
                (
                    "term",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="approach_page",
                        serialize=False,
                        to="directory.taxonomyterm",
                    ),
                ),
                ("summary", models.CharField(max_length=200, verbose_name="summary in one line")),
                ("what_it_is", models.TextField(blank=True, default="", verbose_name="what it is")),
                (
                    "first_contact",
                    models.TextField(blank=True, default="", verbose_name="what a first contact looks like"),
                ),
                (
                    "evidence",
                    models.TextField(
                        blank=True, default="", verbose_name="the evidence and the people behind it"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last changed")),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="last changed by",
                    ),
                ),
            ],
            options={"verbose_name": "approach page", "verbose_name_plural": "approach pages"},
        ),
        migrations.RunPython(create, migrations.RunPython.noop),
    ]
