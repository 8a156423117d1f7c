"""What the event hub's benchmarks share (issue 12): a private PostgreSQL cluster, a fresh
database for every run from a template ``hub init`` made (so no run finds another's rows), and
kiosks' stores filled as visitors fill them. The benchmarks: ``hub_upload``, ``hub_drain``,
``hub_live``.

Each starts a cluster of its own (``tests.support.postgres``: ``initdb`` and ``pg_ctl`` on a
temporary folder, over TCP on 127.0.0.1, as the ``postgres`` user when run as root; fsync off
there, for the kiosk and its baseline alike).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LINK_DELAY = 0.02  # seconds the proxy adds to every chunk the SMTP server sends


def hub_campaign(campaign: Any, url: str, name: str, **hub: object) -> Any:
    """``campaign`` with a hub at ``url`` (no password in it: ``PGPASSWORD``), as ``name``."""
    settings = campaign.hub.model_copy(update={"enabled": True, "url": url, "kiosk_name": name,
                                               **hub})
    return campaign.model_copy(update={"hub": settings})


# --- the cluster --------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Any]:
    """A private cluster, its superuser's password in ``PGPASSWORD`` (children inherit it)."""
    from tests.support.postgres import PostgresCluster

    cluster = PostgresCluster()
    old = os.environ.get("PGPASSWORD")
    try:
        cluster.start()
        os.environ["PGPASSWORD"] = cluster.password
        yield cluster
    finally:
        if old is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = old
        cluster.destroy()


def hub_url(cluster: Any, db: str) -> str:
    return str(cluster.url(db, user=cluster.superuser))  # no password: PGPASSWORD has it


def new_database(cluster: Any, template: str | None = None) -> str:
    from psycopg import sql

    name = f"bench_{secrets.token_hex(4)}"
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with cluster.connect() as conn:
        conn.execute(query)
    return name


def hub_template(cluster: Any, campaign: Any) -> str:
    """An empty hub (``hub init``'s tables, roles, triggers) to copy for every run."""
    from kiosk.app.hub import init_hub

    name = new_database(cluster)
    init_hub(hub_campaign(campaign, hub_url(cluster, name), "bench").hub)
    return name


def server_version(cluster: Any) -> str:
    with cluster.connect() as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0].split()[0]}" if row else "PostgreSQL"


def at_hub(cluster: Any, db: str, query: str) -> list[tuple[Any, ...]]:
    with cluster.connect(db) as conn:
        return list(conn.execute(query).fetchall())


# --- filling kiosks' stores ---------------------------------------------------------------------


def fill(store: Any, campaign: Any, n: int, *, visitor_email: bool = True) -> None:
    """``n`` visitors, one letter and one email each, kept as the kiosk keeps them."""
    from kiosk.app.letters import keep_letters
    from kiosk.domain.journey import Delivery, Journey

    recipients = ("pm", "ircc", "foreign-affairs", "un-ohchr")
    store.conn.execute("PRAGMA synchronous=OFF")  # filling the store is not what is timed
    for i in range(n):
        j = Journey(campaign)
        j.set_language("fr" if i % 3 == 0 else "en")
        j.toggle_recipient(recipients[i % len(recipients)])
        j.update(body=f"Veuillez protéger ces hommes. « Maintenant » — œuvre ! Lettre {i}. " * 6,
                 first_name="Zoë", last_name="Çelik", city="Montréal", postal_code="H2X 1Y4",
                 email=f"visitor{i}@example.org" if visitor_email else "")
        keep_letters(store, campaign, j.session, j.letters(), Delivery(print=False, email=True))
    store.conn.execute("PRAGMA synchronous=FULL")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def make_store(folder: Path, campaign: Any, n: int, *, visitor_email: bool = True) -> Path:
    from kiosk.store import open_store

    store = open_store(folder)
    try:
        fill(store, campaign, n, visitor_email=visitor_email)
    finally:
        store.close()
    return folder
