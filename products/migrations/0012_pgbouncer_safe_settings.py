"""Search settings stored on the database itself (PostgreSQL only), so that every
new session gets them whatever sits in between: PgBouncer in transaction pooling
mode refuses (or drops) the `options` startup parameter, and a session-level SET
would leak from one client to the next on a pooled server connection.

- pg_trgm.word_similarity_threshold = 0.4: product search forgives a typo down to
  this word similarity ("dodool" finds "Dodol", "empeng" scores 0.43 against
  "Emping"); the `%>` operator (TrigramWordSimilar) reads it, so the trigram
  index applies it.
- jit = off: JIT compilation costs ~100 ms on queries whose row estimates are off
  (tiny reference tables never analyzed) and gains nothing on this site's short
  queries.

ALTER DATABASE ... SET needs the database's owner (or a superuser): the app user
normally owns its database. It applies to new sessions only, so the migrating
session (in tests, the very connection that goes on to run the suite) gets the
same values with SET; migrated through PgBouncer, that SET stays on one server
connection, harmlessly: the values are the database's own.

On a database restored from a dump, `pg_dump` does not carry these (only
`pg_dumpall` or `pg_dump --create` does): migrate again, or repeat the
ALTER DATABASE statements (README: "Behind PgBouncer")."""

from django.db import migrations

SETTINGS = {
    "pg_trgm.word_similarity_threshold": "0.4",
    "jit": "off",
}


def _load_pg_trgm(cursor):
    # Calling a pg_trgm function loads the library, which defines its settings: a
    # non-superuser may store only a setting the server knows (PostgreSQL 15+ refuses
    # an unknown "placeholder" one). pg_trgm itself comes from 0003.
    cursor.execute("SELECT word_similarity('', '')")


def _database(cursor, connection):
    # current_database(): in tests, the test database being migrated.
    cursor.execute("SELECT current_database()")
    return connection.ops.quote_name(cursor.fetchone()[0])


def apply_settings(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        _load_pg_trgm(cursor)
        database = _database(cursor, connection)
        for name, value in SETTINGS.items():
            cursor.execute(f"ALTER DATABASE {database} SET {name} = {value}")
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])


def reset_settings(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        _load_pg_trgm(cursor)
        database = _database(cursor, connection)
        for name in SETTINGS:
            cursor.execute(f"ALTER DATABASE {database} RESET {name}")
            cursor.execute(f"RESET {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0011_friendly_constraint_messages"),
    ]

    operations = [
        migrations.RunPython(apply_settings, reset_settings),
    ]
