"""Where staff may put an export: each removable drive mounted now, or the data dir.

Nothing is chosen for staff: a visitor's USB stick plugged in beside the organisers' one is
just as mounted, so every export names its target and staff pick it (``kiosk/ui/staff``).

A drive is a mount point directly under a desktop's automount folder (``/media/<user>/``,
``/run/media/<user>/``, or ``/media/`` for usbmount and pmount), as listed in the kernel's mount
table. A folder left under ``/media`` after a stick was pulled out is not a mount point, so it
is never offered: writing there would fill the kiosk's own disk while staff think the letters
are on the stick. A drive's label is whatever name its owner gave it: it is cleaned before it
is shown or written to the audit log.
"""

from __future__ import annotations

import getpass
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kiosk.i18n import tr

MOUNTS_FILE = Path("/proc/self/mounts")
LABEL_MAX = 40  # characters shown of a drive's label; the size tells two sticks apart as well
_OCTAL = re.compile(rb"\\([0-7]{3})")  # the mount table writes space, tab, \n and \ as \ooo
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, bidi overrides, broken bytes


def default_roots() -> tuple[Path, ...]:
    user = getpass.getuser()
    return (Path("/media") / user, Path("/run/media") / user, Path("/media"))


class DriveGone(OSError):
    """The chosen drive is no longer mounted: nothing was written."""

    def __init__(self, label: str):
        super().__init__(f"the drive {label} is no longer mounted")
        self.label = label


@dataclass(frozen=True)
class ExportTarget:
    path: Path  # the drive's mount point, or the data dir's exports folder
    label: str  # the drive's cleaned label; "" for the data dir
    total_bytes: int
    free_bytes: int
    writable: bool
    is_drive: bool

    def name(self, lang: str) -> str:
        return self.label if self.is_drive else tr("staff.export_here", lang)

    def describe(self, lang: str) -> str:
        """"KINGSTON (16 GB)": what staff see in the confirmation and the audit log keeps."""
        return f"{self.name(lang)} ({size_text(self.total_bytes, lang)})"


@dataclass(frozen=True)
class DriveFinder:
    """Tests point ``roots`` and ``mounts_file`` at a temp tree and a mount table of their own."""

    roots: tuple[Path, ...] = field(default_factory=default_roots)
    mounts_file: Path = MOUNTS_FILE

    def drives(self) -> list[ExportTarget]:
        found: dict[Path, bool] = {}  # mount point -> mounted read-only
        roots = {Path(os.path.normpath(r)) for r in self.roots}
        for point, options in self._mount_points():
            if point.parent in roots and point not in roots:
                found[point] = "ro" in options.split(",")
        return sorted((_target(p, ro) for p, ro in found.items()),
                      key=lambda t: (t.label.casefold(), str(t.path)))

    def is_mounted(self, path: Path) -> bool:
        return any(point == path for point, _ in self._mount_points())

    def _mount_points(self) -> list[tuple[Path, str]]:
        try:
            lines = self.mounts_file.read_bytes().splitlines()
        except OSError:
            return []  # no mount table: no drive can be vouched for
        out = []
        for line in lines:
            parts = line.split()
            if len(parts) >= 4:
                out.append((Path(os.path.normpath(_unescape(parts[1]))), _unescape(parts[3])))
        return out


def data_dir_target(data_dir: Path) -> ExportTarget:
    folder = Path(data_dir) / "exports"
    total, free = _sizes(Path(data_dir))
    return ExportTarget(folder, "", total, free, writable=os.access(data_dir, os.W_OK),
                        is_drive=False)


def new_folder_name(now: datetime | None = None) -> str:
    return (now or datetime.now()).strftime("letter-kiosk-%Y-%m-%d-%H%M%S")


def make_export_folder(target: ExportTarget, name: str, finder: DriveFinder) -> Path:
    """A new, owner-only folder ``name`` on ``target``, and only there.

    Refuses (DriveGone) when the drive chosen was pulled out since, and (FileExistsError) when
    anything by that name is already there, a link planted on a stick included.
    """
    if target.is_drive and not finder.is_mounted(target.path):
        raise DriveGone(target.label)
    if not target.is_drive:
        target.path.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = target.path / name
    folder.mkdir(mode=0o700)
    return folder


def size_text(n_bytes: int, lang: str) -> str:
    """Decimal units, as printed on the packet: a "16 GB" stick holds about 15.5 billion bytes."""
    gb = n_bytes / 1e9
    if gb < 1:
        return tr("staff.size_mb", lang, size=round(n_bytes / 1e6))
    size = f"{gb:.1f}".replace(".", tr("staff.decimal_mark", lang)) if gb < 10 else round(gb)
    return tr("staff.size_gb", lang, size=size)


def clean_label(raw: str) -> str:
    shown = "".join(" " if ch.isspace() else ch for ch in unicodedata.normalize("NFC", raw)
                    if unicodedata.category(ch) not in _HIDDEN or ch.isspace())
    shown = " ".join(shown.split())
    return shown if len(shown) <= LABEL_MAX else shown[:LABEL_MAX - 1].rstrip() + "…"


def _target(point: Path, read_only: bool) -> ExportTarget:
    total, free = _sizes(point)
    return ExportTarget(point, clean_label(point.name) or "USB", total, free,
                        writable=not read_only and os.access(point, os.W_OK), is_drive=True)


def _sizes(path: Path) -> tuple[int, int]:
    try:
        st = os.statvfs(path)
    except OSError:
        return 0, 0
    return st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize


def _unescape(raw: bytes) -> str:
    return os.fsdecode(_OCTAL.sub(lambda m: bytes([int(m.group(1), 8) & 0xFF]), raw))
