"""A facts version on every pass, replaced by triggers whenever anything a gate decision reads changes.

The gate caches a credential's facts (pass, person, trainings, certificates, zones) per process and checks
``gates_accesspass.facts_version`` under the zone lock before using them (``anjian.gates.facts``). Triggers,
not Python signals, keep the version true: bulk writes, imports, the admin, raw SQL and other processes all
replace it, in the same transaction as the change (so the new version is visible exactly when the change is).
The version is a random token, never a counter: a rolled-back or restored row cannot make an older cached
copy look current.
"""

from django.db import migrations, models

import anjian.gates.models

_PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION gates_new_facts_version() RETURNS varchar LANGUAGE sql VOLATILE AS
$$ SELECT md5(random()::text || clock_timestamp()::text) $$;

CREATE OR REPLACE FUNCTION gates_pass_version_before_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.facts_version := gates_new_facts_version();
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION gates_touch_passes_of_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE gates_accesspass SET facts_version = gates_new_facts_version() WHERE person_id = OLD.person_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE gates_accesspass SET facts_version = gates_new_facts_version() WHERE person_id = NEW.person_id;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gates_touch_passes_of_self() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE gates_accesspass SET facts_version = gates_new_facts_version() WHERE person_id = NEW.id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gates_touch_pass() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE gates_accesspass SET facts_version = gates_new_facts_version() WHERE id = OLD.accesspass_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE gates_accesspass SET facts_version = gates_new_facts_version() WHERE id = NEW.accesspass_id;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gates_touch_pass_of_credential() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE gates_accesspass SET facts_version = gates_new_facts_version() WHERE id = OLD.access_pass_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE gates_accesspass SET facts_version = gates_new_facts_version() WHERE id = NEW.access_pass_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER gates_pass_version BEFORE UPDATE ON gates_accesspass
  FOR EACH ROW EXECUTE FUNCTION gates_pass_version_before_update();
CREATE TRIGGER gates_facts_training AFTER INSERT OR UPDATE OR DELETE ON people_trainingrecord
  FOR EACH ROW EXECUTE FUNCTION gates_touch_passes_of_person();
CREATE TRIGGER gates_facts_certificate AFTER INSERT OR UPDATE OR DELETE ON people_certificate
  FOR EACH ROW EXECUTE FUNCTION gates_touch_passes_of_person();
CREATE TRIGGER gates_facts_person AFTER UPDATE OF is_active ON people_person
  FOR EACH ROW EXECUTE FUNCTION gates_touch_passes_of_self();
CREATE TRIGGER gates_facts_pass_zones AFTER INSERT OR UPDATE OR DELETE ON gates_accesspass_zones
  FOR EACH ROW EXECUTE FUNCTION gates_touch_pass();
CREATE TRIGGER gates_facts_credential AFTER INSERT OR UPDATE OR DELETE ON gates_credential
  FOR EACH ROW EXECUTE FUNCTION gates_touch_pass_of_credential();
"""

_PG_DROP = """
DROP TRIGGER IF EXISTS gates_pass_version ON gates_accesspass;
DROP TRIGGER IF EXISTS gates_facts_training ON people_trainingrecord;
DROP TRIGGER IF EXISTS gates_facts_certificate ON people_certificate;
DROP TRIGGER IF EXISTS gates_facts_person ON people_person;
DROP TRIGGER IF EXISTS gates_facts_pass_zones ON gates_accesspass_zones;
DROP TRIGGER IF EXISTS gates_facts_credential ON gates_credential;
DROP FUNCTION IF EXISTS gates_pass_version_before_update();
DROP FUNCTION IF EXISTS gates_touch_passes_of_person();
DROP FUNCTION IF EXISTS gates_touch_passes_of_self();
DROP FUNCTION IF EXISTS gates_touch_pass();
DROP FUNCTION IF EXISTS gates_touch_pass_of_credential();
DROP FUNCTION IF EXISTS gates_new_facts_version();
"""

# SQLite: AFTER triggers (with recursive triggers off, the default, the pass trigger's own UPDATE does not
# fire it again). One statement per trigger, executed one by one.
_NEW = "lower(hex(randomblob(16)))"
_BY_PERSON = "UPDATE gates_accesspass SET facts_version = " + _NEW + " WHERE person_id = {row}.person_id;"
_BY_PASS = "UPDATE gates_accesspass SET facts_version = " + _NEW + " WHERE id = {row}.{col};"
_SQLITE = [
    "CREATE TRIGGER gates_pass_version AFTER UPDATE ON gates_accesspass BEGIN "
    "UPDATE gates_accesspass SET facts_version = " + _NEW + " WHERE id = NEW.id; END",
    *[
        f"CREATE TRIGGER gates_facts_{name}_{op.lower()} AFTER {op} ON {table} BEGIN "
        + " ".join(body.format(row=row, col=col) for row in rows)
        + " END"
        for name, table, body, col in [
            ("training", "people_trainingrecord", _BY_PERSON, ""),
            ("certificate", "people_certificate", _BY_PERSON, ""),
            ("pass_zones", "gates_accesspass_zones", _BY_PASS, "accesspass_id"),
            ("credential", "gates_credential", _BY_PASS, "access_pass_id"),
        ]
        for op, rows in [("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])]
    ],
    "CREATE TRIGGER gates_facts_person_update AFTER UPDATE OF is_active ON people_person BEGIN "
    "UPDATE gates_accesspass SET facts_version = " + _NEW + " WHERE person_id = NEW.id; END",
]


def _sqlite_names() -> list[str]:
    return [stmt.split()[2] for stmt in _SQLITE]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_PG_FUNCTIONS)  # several statements with $$ bodies: the simple query protocol
    elif vendor == "sqlite":
        for stmt in _SQLITE:
            schema_editor.execute(stmt)
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL only
        raise NotImplementedError(vendor)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_PG_DROP)
    elif vendor == "sqlite":
        for name in _sqlite_names():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("gates", "0001_initial"),
        # After every migration that reshapes the people tables: on SQLite a migration that remakes a table
        # (copy, drop, rename) drops its triggers. A later people migration that remakes people_certificate,
        # people_trainingrecord or people_person must recreate them (gates/tests/test_speed.py fails otherwise).
        ("people", "0004_list_order_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesspass",
            name="facts_version",
            field=models.CharField(
                default=anjian.gates.models.new_facts_version, editable=False, max_length=32
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
