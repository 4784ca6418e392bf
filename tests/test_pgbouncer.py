"""Database settings that survive a pooler: products/0012 stores the search settings
on the database (ALTER DATABASE ... SET) instead of sending them with each
connection, and DATABASE_DISABLE_SERVER_SIDE_CURSORS keeps QuerySet.iterator() on
client-side cursors (README: "Behind PgBouncer").

The tests marked `pgbouncer` are about the pooler. The first also runs on PostgreSQL
itself; the others need PGBOUNCER_URL to name a PgBouncer in transaction pooling
mode that DATABASE_URL goes through as well, so that the test database is created,
migrated and used through it. `.ci/run` starts one and runs:

    PGBOUNCER_URL=postgres://postgres@127.0.0.1:6432/gerai_pgbouncer \\
    DATABASE_URL=$PGBOUNCER_URL DATABASE_DISABLE_SERVER_SIDE_CURSORS=1 \\
      .venv/bin/pytest --reuse-db tests/test_pgbouncer.py

(--reuse-db: Django cannot drop its test database through PgBouncer, which keeps
server connections to it open; drop test_gerai_pgbouncer on PostgreSQL itself.)
"""

import json
import os
import subprocess
import sys
from contextlib import ExitStack, closing
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.urls import reverse

from products.models import Product
from tests.factories import make_product

PGBOUNCER_URL = os.environ.get("PGBOUNCER_URL", "")
SEARCH_SETTINGS = {"pg_trgm.word_similarity_threshold": "0.4", "jit": "off"}

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="settings of a PostgreSQL database"
)
needs_pgbouncer = pytest.mark.skipif(
    not PGBOUNCER_URL, reason="PGBOUNCER_URL names no PgBouncer"
)


def database_settings(**environment):
    """settings.DATABASES["default"] of a fresh process with this environment."""
    env = {**os.environ, **environment}
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "serang_umkm.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_connections_send_no_options_and_may_disable_server_side_cursors():
    """Nothing in the connection parameters for a pooler to refuse; server-side
    cursors stay on unless DATABASE_DISABLE_SERVER_SIDE_CURSORS says otherwise."""
    url = "postgres://gerai@db.example:6432/gerai_umkm"
    default = database_settings(
        DATABASE_URL=url, DATABASE_DISABLE_SERVER_SIDE_CURSORS=""
    )
    pooled = database_settings(
        DATABASE_URL=url, DATABASE_DISABLE_SERVER_SIDE_CURSORS="1"
    )

    assert "options" not in default.get("OPTIONS", {})
    assert not default.get("DISABLE_SERVER_SIDE_CURSORS")
    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True


def new_session():
    """A connection of its own to the test database, with Django's parameters (so
    through PgBouncer when Django goes through it); not in autocommit mode."""
    return connection.get_new_connection(connection.get_connection_params())


def search_settings(session):
    """The backend's process id and, for each search setting, its value and where
    the value comes from (pg_settings.source: "database" for ALTER DATABASE)."""
    with session.cursor() as cursor:
        # pg_trgm's settings exist in a session once its library is loaded.
        cursor.execute("SELECT pg_backend_pid(), word_similarity('', '')")
        pid = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, setting, source FROM pg_settings WHERE name = ANY(%s)",
            [list(SEARCH_SETTINGS)],
        )
        return pid, {name: (value, source) for name, value, source in cursor}


def pgbouncer_console():
    """PgBouncer's admin console: the pseudo-database "pgbouncer" (admin_users)."""
    database = connection.settings_dict
    console = psycopg2.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="pgbouncer",
    )
    console.autocommit = True  # the console knows no transactions
    return console


@pytest.fixture
def fresh_server_sessions(django_db_setup):
    """Behind PGBOUNCER_URL: checks that Django goes through that PgBouncer, in
    transaction pooling mode, and closes its server connections to the test
    database, so that the test's sessions start afresh like those of a web host
    after a deployment (the one that migrated had also SET the values in itself)."""
    if not PGBOUNCER_URL:
        return
    address = urlsplit(PGBOUNCER_URL)
    database = connection.settings_dict
    assert (database["HOST"], int(database["PORT"])) == (
        address.hostname,
        address.port,
    ), "DATABASE_URL must go through PGBOUNCER_URL"
    with closing(pgbouncer_console()) as console, console.cursor() as cursor:
        cursor.execute("SHOW CONFIG")
        config = {row[0]: row[1] for row in cursor}
        assert config["pool_mode"] == "transaction"
        cursor.execute(f"RECONNECT {database['NAME']}")
        cursor.execute(f"WAIT_CLOSE {database['NAME']}")


@on_postgresql
@pytest.mark.pgbouncer
@pytest.mark.django_db
def test_every_new_session_gets_the_search_settings_from_the_database(
    fresh_server_sessions,
):
    """Sessions opened after migrating, not only the one that migrated, search with
    the typo threshold and without JIT: the values come from the database itself.
    Three sessions at once, each in a transaction, are three server sessions even
    behind a pooler."""
    with ExitStack() as stack:
        sessions = [stack.enter_context(closing(new_session())) for _ in range(3)]
        seen = [search_settings(session) for session in sessions]

    assert len({pid for pid, _ in seen}) == 3
    for _, values in seen:
        assert values == {
            name: (value, "database") for name, value in SEARCH_SETTINGS.items()
        }


@needs_pgbouncer
@pytest.mark.pgbouncer
@pytest.mark.django_db
def test_pgbouncer_refuses_the_options_startup_parameter(fresh_server_sessions):
    """Why the settings are on the database: PgBouncer turns away a connection
    that sends them as `options` (or drops them, if told to ignore it)."""
    parameters = connection.get_connection_params()
    del parameters["cursor_factory"]

    with pytest.raises(psycopg2.OperationalError, match="unsupported startup"):
        psycopg2.connect(**parameters, options="-c jit=off").close()


@needs_pgbouncer
@pytest.mark.pgbouncer
@pytest.mark.parametrize(
    # "empeng" scores 0.43 against "Emping": found only with the database's 0.4,
    # not with pg_trgm's default 0.6 ("dodool" scores 0.625 against "Dodol").
    ("typed", "found"),
    [("dodool", "Dodol Betawi"), ("empeng", "Emping Melinjo")],
)
def test_typo_search_through_pgbouncer(
    client, reference_data, fresh_server_sessions, typed, found
):
    """The public search forgives a typo through pooled sessions (autocommit: any
    statement may go to any server connection)."""
    make_product(name="Dodol Betawi")
    make_product(name="Emping Melinjo")
    make_product(name="Kopi Robusta")

    response = client.get(reverse("products:list"), {"q": typed})

    assert response.status_code == 200
    assert [product.name for product in response.context["object_list"]] == [found]


def iterate_while_another_client_takes_the_server(queryset):
    """Reads the first row of queryset.iterator(chunk_size=1), lets another client
    take the server connection that served it (PgBouncer hands out the one
    released last), then reads the rest: what happens under load."""
    rows = queryset.iterator(chunk_size=1)
    first = next(rows)
    with closing(new_session()) as other, other.cursor() as cursor:
        cursor.execute("SELECT 1")  # a transaction: the server is the other's now
        return [first, *rows]


@needs_pgbouncer
@pytest.mark.pgbouncer
def test_iterator_through_pgbouncer(reference_data, fresh_server_sessions):
    """With DATABASE_DISABLE_SERVER_SIDE_CURSORS, .iterator() (form choices,
    spreadsheet exports) reads its rows whatever server connection comes next."""
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True, (
        "run with DATABASE_DISABLE_SERVER_SIDE_CURSORS=1"
    )
    for name in ["Abon Sapi", "Bakso Ikan", "Cilok Kuah"]:
        make_product(name=name)

    products = Product.objects.order_by("name").values_list("name", flat=True)

    assert iterate_while_another_client_takes_the_server(products) == [
        "Abon Sapi",
        "Bakso Ikan",
        "Cilok Kuah",
    ]


@needs_pgbouncer
@pytest.mark.pgbouncer
def test_server_side_cursors_break_through_pgbouncer(
    reference_data, fresh_server_sessions, monkeypatch
):
    """Why the setting is needed: a server-side cursor lives in one server session,
    and the next FETCH may reach another one."""
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", False)
    for name in ["Abon Sapi", "Bakso Ikan", "Cilok Kuah"]:
        make_product(name=name)

    products = Product.objects.order_by("name").values_list("name", flat=True)

    # The FETCH fails, and so does closing the cursor (psycopg2's own error, raised
    # by Django's `finally`).
    with pytest.raises(
        (DatabaseError, psycopg2.DatabaseError),
        match=r'cursor "_django_curs_\w+" does not exist',
    ):
        iterate_while_another_client_takes_the_server(products)
