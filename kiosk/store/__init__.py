"""Durable storage: SQLite on disk, WAL, one file per data dir, readable only by its owner."""

from kiosk.store.db import Store, connect
from kiosk.store.refusals import StorageError

__all__ = ["StorageError", "Store", "connect"]
