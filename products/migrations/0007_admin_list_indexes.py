"""Indexes for the admin's lists at city scale (benchmarks/admin_benchmark.py): their
order (name, then newest first) and, on PostgreSQL only, a trigram index matching
the admin's product search, UPPER(name) LIKE '%…%' (0003's trigram index is on the
plain name, for the public typo-tolerant search). Businesses are few enough that
their search reads the table."""

from django.conf import settings
from django.db import migrations, models

SEARCH_INDEXES = {
    "product_name_upper_trgm": "products_product",
}


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in SEARCH_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON {schema_editor.quote_name(table)} "
            "USING gin (UPPER(name::text) gin_trgm_ops)"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SEARCH_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ('products', '0006_assisted_registration'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='business',
            index=models.Index(fields=['name', '-id'], name='business_name_id'),
        ),
        migrations.AddIndex(
            model_name='product',
            index=models.Index(fields=['name', '-id'], name='product_name_id'),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
