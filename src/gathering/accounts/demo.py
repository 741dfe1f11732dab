"""The demo people, one per role, for `gathering seed-demo`: the first demo step, whose people the later
steps (Gatherings, programme, circles) organise, facilitate and take part. Idempotent: found by email."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from gathering.core.demo import DemoLogin, DemoRun, demo_step

from .models import User
from .roles import ADMIN, FACILITATOR, ORGANISER, PARTICIPANT, SAFEGUARDING_LEAD, Role

# Demo passwords are printed by `make demo` and only ever used on a development machine.
DEMO_PASSWORD = "demo-gathering-2026"  # noqa: S105
# A fixed base32 secret so the demo staff can add it to an authenticator app once and keep it.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPGATHERINGDEMOAAA"  # noqa: S105

DEMO_PEOPLE: tuple[tuple[str, str, str, Role], ...] = (
    ("participant@demo.gathering.test", "Sam Rivers", "Sam", PARTICIPANT),
    ("facilitator@demo.gathering.test", "Ayesha Khan", "Ayesha", FACILITATOR),
    ("organiser@demo.gathering.test", "Morgan Ellis", "Morgan", ORGANISER),
    ("safeguarding@demo.gathering.test", "Priya Natarajan", "Priya", SAFEGUARDING_LEAD),
    ("admin@demo.gathering.test", "Jo Admin", "Jo", ADMIN),
)


def _ensure_person(email: str, name: str, preferred: str, role: Role) -> tuple[User, DemoLogin]:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, name=name, preferred_name=preferred
        )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    groups = [Group.objects.get(name=PARTICIPANT.group_name)]
    if role is not PARTICIPANT:
        groups.append(Group.objects.get(name=role.group_name))
    user.groups.add(*groups)
    if role is ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if not role.staff:
        return user, DemoLogin(email, str(role.label), DEMO_PASSWORD, None, None)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    codes = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    if codes is None:
        codes = RecoveryCodes.activate(user).instance
    unused = RecoveryCodes(codes).get_unused_codes()
    return user, DemoLogin(
        email, str(role.label), DEMO_PASSWORD, DEMO_TOTP_SECRET, unused[0] if unused else None
    )


def ensure_demo_people() -> tuple[dict[str, User], list[DemoLogin]]:
    """The demo people by role slug (participant, facilitator, organiser, ...), and their logins."""
    people, logins = {}, []
    for email, name, preferred, role in DEMO_PEOPLE:
        user, login = _ensure_person(email, name, preferred, role)
        people[role.slug] = user
        logins.append(login)
    return people, logins


@demo_step("people", order=10)
def seed(run: DemoRun) -> None:
    people, logins = ensure_demo_people()
    run.people.update(people)
    run.logins.extend(logins)
