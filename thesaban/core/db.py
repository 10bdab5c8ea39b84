"""Database functions Django lacks that must run the same on SQLite and PostgreSQL."""

from django.db.models import FloatField, Func


class EpochSeconds(Func):
    """Seconds since 1970 of a datetime column, as a float."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores aware datetimes in UTC text; julianday reads that text.
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="date_part('epoch', %(expressions)s)", **extra
        )
