"""Product search: a stored search_vector and, on PostgreSQL only, the pg_trgm
extension, GIN indexes for full-text and typo-tolerant name search, and the vectors
of existing products. The indexes are not in Product.Meta, so that SQLite (where
they cannot exist) migrates with the same files."""

import django.contrib.postgres.search
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import OuterRef, Subquery

INDEXES = {
    "product_search_vector_gin": "USING gin (search_vector)",
    "product_name_trgm_gin": "USING gin (name gin_trgm_ops)",
}


def create_indexes_and_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Product = apps.get_model("products", "Product")
    Category = apps.get_model("products", "Category")
    Business = apps.get_model("products", "Business")
    table = schema_editor.quote_name(Product._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, method in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON {table} {method}"
        )
    # The same vector as ProductQuerySet.update_search_vectors() (frozen here).
    category_name = Category.objects.filter(pk=OuterRef("category_id"))
    business_name = Business.objects.filter(pk=OuterRef("business_id"))
    Product.objects.using(schema_editor.connection.alias).update(
        search_vector=SearchVector("name", weight="A", config="indonesian")
        + SearchVector(
            Subquery(category_name.values("name")),
            Subquery(business_name.values("name")),
            weight="B",
            config="indonesian",
        )
        + SearchVector("description", weight="C", config="indonesian")
    )


def drop_indexes(apps, schema_editor):
    # pg_trgm stays: something else may have come to use it.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ("products", "0002_kelurahan_and_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text=(
                    "Words of the name, category, business and description, kept "
                    "up to date on save (PostgreSQL only)."
                ),
                null=True,
                verbose_name="search index",
            ),
        ),
        migrations.RunPython(create_indexes_and_vectors, drop_indexes),
    ]
