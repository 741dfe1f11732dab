"""Our own taxonomy of compassionate approaches, which the directory's services are tagged with.

The taxonomy and its terms are created by a data migration (0002_approaches) with ids derived from a fixed
namespace, so they are the same in every installation and in every export.
"""

import uuid

NAMESPACE = uuid.UUID("3ec16ca3-583e-4192-98e1-ad655c1307fd")
TAXONOMY_ID = uuid.uuid5(NAMESPACE, "taxonomy")

# (code, name): the codes are stable and used in exports; names are what people read.
TERMS = (
    ("peer-respite", "Peer respite"),
    ("open-dialogue", "Open Dialogue"),
    ("hearing-voices", "Hearing Voices"),
    ("crisis-cafe", "Crisis café"),
    ("soteria", "Soteria"),
    ("recovery-college", "Recovery college"),
    ("peer-support-group", "Peer support group"),
    ("trauma-informed", "Trauma-informed"),
    ("arts-and-creative", "Arts and creative"),
    ("family-and-carers", "Family and carers"),
)


CODES = tuple(code for code, _name in TERMS)

# Words that show a session or a resource is about the approach (any one will do, in any case): the name
# and the ways people commonly write it, chosen so that they do not turn up in unrelated titles.
MENTIONS = {
    "peer-respite": ("peer respite", "peer-run respite"),
    "open-dialogue": ("open dialogue",),
    "hearing-voices": ("hearing voices", "voice hearing", "voice-hearing", "voice hearer"),
    "crisis-cafe": ("crisis café", "crisis cafe", "safe haven"),
    "soteria": ("soteria",),
    "recovery-college": ("recovery college",),
    "peer-support-group": ("peer support group", "peer-support group"),
    "trauma-informed": ("trauma-informed", "trauma informed"),
    "arts-and-creative": ("creative", "arts for", "art therapy", "arts therapy", "arts and health"),
    "family-and-carers": ("carers", "families", "family and friends"),
}


def term_id(code: str) -> uuid.UUID:
    """The id of the approach with this code, the same everywhere."""
    return uuid.uuid5(NAMESPACE, f"term:{code}")
