"""A test helper: the whole database as text, as a backup or a stolen copy would show it.

On PostgreSQL this runs `pg_dump` in another process, which sees only committed rows: use it from tests
marked `django_db(transaction=True)`. On SQLite it dumps the test connection itself.
"""

import os
import shutil
import subprocess

from django.db import connection


def database_dump_text() -> str:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise RuntimeError("pg_dump is not installed")
        command = [pg_dump, "--data-only", "--no-owner", "--dbname", settings["NAME"]]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings.get(key):
                command += [option, str(settings[key])]
        env = {**os.environ}
        if settings.get("PASSWORD"):
            env["PGPASSWORD"] = settings["PASSWORD"]
        result = subprocess.run(command, capture_output=True, text=True, check=True, env=env, timeout=120)
        return result.stdout
    raise NotImplementedError(f"No dump for {connection.vendor}")
