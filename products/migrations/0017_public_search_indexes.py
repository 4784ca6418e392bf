"""Product search reads only public products' rows: the GIN indexes of 0003 become
partial (WHERE status = 'approved'), so that the planner no longer ANDs each search's
bitmap with one of every approved product (33,000 rows on city data) from
product_status_name. Only the public search (products/search.py) uses them. On
PostgreSQL only, as in 0003."""

from django.db import migrations

OLD = {
    "product_search_vector_gin": "USING gin (search_vector)",
    "product_name_trgm_gin": "USING gin (name gin_trgm_ops)",
}
NEW = {
    "product_public_search_vector_gin": (
        "USING gin (search_vector) WHERE status = 'approved'"
    ),
    "product_public_name_trgm_gin": (
        "USING gin (name gin_trgm_ops) WHERE status = 'approved'"
    ),
}


def replace(create, drop):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(
            apps.get_model("products", "Product")._meta.db_table
        )
        for name, method in create.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
                f"ON {table} {method}"
            )
        for name in drop:
            schema_editor.execute(
                f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}"
            )

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0016_category_list_indexes"),
    ]

    operations = [
        migrations.RunPython(replace(NEW, OLD), replace(OLD, NEW)),
    ]
