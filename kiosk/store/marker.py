"""The marker: a small file beside the store saying "a store was made in this folder".

SQLite opens a missing or 0-byte file as a new, empty database without a word, so a store that
was truncated, deleted or replaced by an empty file would look like a first start and the kiosk
would carry on with no letters. The marker is what remembers otherwise. It is written once the
store's tables exist (and, for a store made by an older kiosk, the first time this one opens
it), and it is never removed by the kiosk. While it exists, a missing or empty store is refused.

Why a separate file rather than "the folder has other files in it": the lock file, exports and
printer output all appear before the first letter, or never; the marker means exactly one thing.
Its content is for people reading the folder; the kiosk only asks whether it is there.
"""

from __future__ import annotations

import os
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

MARKER_NAME = "kiosk-store.marker"

_TEXT = """Letter Kiosk store made here on {when} (schema {version}).

While this file is here, the kiosk refuses to start if kiosk.sqlite3 is missing or empty,
instead of starting a new, empty store over lost letters. Do not delete it; see
docs/deployment.md ("When storage is damaged").
"""


def marker_path(folder: Path) -> Path:
    return Path(folder) / MARKER_NAME


def has_marker(folder: Path) -> bool:
    # lexists: even a broken or unreadable marker says a store was made here.
    return os.path.lexists(marker_path(folder))


def marker_date(folder: Path) -> str:
    """When the store was made, for messages: the marker's time, or "?" when unknown."""
    try:
        at = datetime.fromtimestamp(marker_path(folder).lstat().st_mtime, UTC).astimezone()
    except OSError:
        return "?"
    return at.strftime("%Y-%m-%d %H:%M")


def write_marker(folder: Path, version: int) -> bool:
    """Leave the marker (once); False if the folder cannot take it right now (full, read-only).

    Best effort on purpose: the store itself is fine, and the next open tries again.
    """
    path = marker_path(folder)
    if has_marker(folder):
        return True
    tmp = path.with_name(f".{path.name}.tmp")
    text = _TEXT.format(when=datetime.now(UTC).isoformat(timespec="seconds"), version=version)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True
