"""On PostgreSQL the ledgers are append-only in the database too: UPDATE and DELETE raise."""

from django.db import migrations

TABLES = ["transfers_wipmovement", "warehouse_stockmove"]

FUNCTION = """
CREATE OR REPLACE FUNCTION erp_refuse_ledger_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is an append-only ledger: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION erp_refuse_ledger_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS erp_refuse_ledger_change();")


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0003_wipbalance_wipmovement"),
        ("warehouse", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
