"""Durable storage: SQLite on disk, WAL, one file per data dir, readable only by its owner.

Every SQL statement of the kiosk lives in this package. A process opens its store once, with
``open_store``, and hands the object to whoever needs it (the workers included); each thread
gets its own connection from it. Functions here take that store as their first argument.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.store.db import Store, connect
from kiosk.store.refusals import StorageError

__all__ = ["StorageError", "Store", "connect", "open_store"]


def open_store(location: Path | str, *, reading: bool = False) -> Store:
    """The store at ``location``, checked and ready; raises StorageError (exit 2) if unusable.

    ``location`` is a data dir: the SQLite store in it (kiosk/store/db.py). Another backend
    (PostgreSQL, issue 12) is meant to be a package of its own behind the same methods, chosen
    here by the form of ``location``, with no change for the callers.

    ``reading``: the caller only reads (listing, exporting). The store opens read-write where
    the folder allows it (an export is still written to the audit log), read-only where not.
    """
    data_dir = Path(location)
    return Store.for_reading(data_dir) if reading else Store(data_dir)
