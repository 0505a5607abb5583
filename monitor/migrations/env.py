"""Alembic environment of the store's migrations.

Owns: how a migration run gets its connection. At run time ``monitor.store`` builds the Alembic
``Config`` in code and passes an open connection in ``config.attributes["connection"]``; when a
developer runs Alembic by hand (``alembic revision --autogenerate``), the ``sqlalchemy.url`` option
is used instead. Does not own: the tables (``monitor.store._tables``) or the schema changes
(``versions/``). Offline (``--sql``) runs are not supported.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from monitor.store._tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise RuntimeError("offline (--sql) migrations are not supported")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection given and no sqlalchemy.url set")
    with create_engine(url).begin() as connection:
        _run(connection)


_main()
