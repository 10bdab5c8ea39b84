"""Django set-up shared by the bench scripts: settings from the environment like the app itself."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup() -> None:
    """Configure Django (DJANGO_SETTINGS_MODULE, default thesaban.config.base) and, on
    PostgreSQL, create the database DATABASE_URL names if it does not exist yet."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thesaban.config.base")
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        _create_postgres_database(database)
    django.setup()


def _create_postgres_database(database: dict) -> None:
    import psycopg
    from psycopg import sql

    options = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **options) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"]))
            )
            print(f"Created the PostgreSQL database {database['NAME']}.")


def describe_database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            where = f"{connection.settings_dict['NAME']} on {connection.settings_dict.get('HOST') or 'socket'}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
            where = str(connection.settings_dict["NAME"])
    return f"{version} ({where})"
