"""Make the audit log append-only in PostgreSQL itself, not only in Python.

UPDATE and DELETE of an audit row raise, with one exception: setting actor_id to NULL and changing nothing
else, which is what deleting (erasing) a person's account does through the SET_NULL foreign key.
TRUNCATE is not covered (only the database owner can run it; the test runner uses it between tests).
SQLite has no such triggers in this form; there the model's save() and delete() guards are the protection.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION privacy_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.actor_id IS NULL
        AND NEW.id = OLD.id
        AND NEW.at = OLD.at
        AND NEW.actor_description = OLD.actor_description
        AND NEW.action = OLD.action
        AND NEW.subject_type = OLD.subject_type
        AND NEW.subject_id = OLD.subject_id
        AND NEW.detail = OLD.detail
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'privacy_auditentry is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS privacy_auditentry_append_only ON privacy_auditentry;
CREATE TRIGGER privacy_auditentry_append_only
    BEFORE UPDATE OR DELETE ON privacy_auditentry
    FOR EACH ROW EXECUTE FUNCTION privacy_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS privacy_auditentry_append_only ON privacy_auditentry;
DROP FUNCTION IF EXISTS privacy_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
