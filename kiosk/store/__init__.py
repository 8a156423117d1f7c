"""Durable storage: SQLite on disk, WAL, one file per data dir, readable only by its owner."""

from kiosk.store.db import Store, connect

__all__ = ["Store", "connect"]
