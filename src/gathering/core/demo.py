"""Demo data for `make demo` and load tests: a registry of steps that apps fill from their `demo.py`, and
`seed_demo`, which runs them.

An app registers its step in `<app>/demo.py` with `@demo_step(name, order=...)` and imports that module in
its AppConfig.ready(), as with periodic jobs and home page blocks, so core imports no app. `seed_demo` runs
the steps by `order` in one transaction, each called as `function(run)`: a step reads what earlier ones left
in the `DemoRun` (the demo people by role, made by accounts' step) and adds to it. Every step is idempotent
(it finds its things by slug and email), so running the demo twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    password: str
    totp_secret: str | None
    recovery_code: str | None


@dataclass
class DemoRun:
    """What the steps share: the scale asked for, the demo people by role slug (participant, facilitator,
    organiser, safeguarding_lead, admin) and the logins that `gathering seed-demo` prints."""

    scale: int = 1
    people: dict[str, AbstractBaseUser] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


DemoFunction = Callable[[DemoRun], None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    function: DemoFunction


class DemoRegistry:
    """Named demo steps in the order they run; the project has one (`registry`), tests may make their own."""

    def __init__(self) -> None:
        self._steps: dict[str, DemoStep] = {}

    def demo_step(self, name: str, *, order: int) -> Callable[[DemoFunction], DemoFunction]:
        """Register the decorated function, called as `function(run)`, as a step of the demo. Lower `order`
        runs first: a step may use what every lower one made."""

        def register(function: DemoFunction) -> DemoFunction:
            existing = self._steps.get(name)
            if existing is not None and existing.function is not function:
                raise ImproperlyConfigured(f"Two demo steps are registered as {name!r}.")
            self._steps[name] = DemoStep(name=name, order=order, function=function)
            return function

        return register

    def steps(self) -> list[DemoStep]:
        return sorted(self._steps.values(), key=lambda step: (step.order, step.name))


registry = DemoRegistry()
demo_step = registry.demo_step


@transaction.atomic
def seed_demo(*, scale: int = 1, steps: DemoRegistry | None = None) -> list[DemoLogin]:
    """Run every demo step (the people, then each capability's data); return the logins to print."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    run = DemoRun(scale=scale)
    for step in (steps or registry).steps():
        step.function(run)
    return run.logins
