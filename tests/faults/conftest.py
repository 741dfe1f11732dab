"""What the fault tests need once per session: static files collected as production serves them, and a
database migrated once, with the tests' data in it, which each test copies."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .servers import (
    database_template,
    free_port,
    gathering,
    gathering_call,
    gathering_in_background,
    production_env,
)

# The data every fault test starts from (scenario.make): a Gathering with PLACES places, PEOPLE participants.
PEOPLE = 30
PLACES = 12


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    # Nothing here connects to Redis or mail: the addresses only satisfy production's settings.
    return production_env(
        database_url=database_url, redis_port=free_port(), var_dir=var_dir, email_port=free_port()
    )


@dataclass(frozen=True)
class Prepared:
    var_dir: Path  # a GATHERING_VAR_DIR with `collectstatic` done: production serves only hashed files
    template: str  # the database each test copies (servers.fresh_database): migrated, with the data below
    data: dict[str, Any]  # what scenario.make made: the Gathering's slug and ticket, people's emails and keys


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Iterator[Prepared]:
    var_dir = tmp_path_factory.mktemp("var")
    with database_template(tmp_path_factory.mktemp("template")) as (template, template_url):
        static = _env(f"sqlite:///{var_dir / 'unused.sqlite3'}", var_dir)
        with gathering_in_background(
            "collectstatic", "--noinput", "-v0", env=static, log=var_dir / "static.log"
        ):
            gathering("migrate", "--noinput", "-v0", env=_env(template_url, var_dir))
            data = gathering_call("make", env=_env(template_url, var_dir), people=PEOPLE, places=PLACES)
        yield Prepared(var_dir, template, data)
