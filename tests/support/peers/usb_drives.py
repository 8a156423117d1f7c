"""A stand-in for /media/<user> and /proc/self/mounts: real folders in a temp dir (the "sticks")
and a mount table file saying which of them are mounted."""

from __future__ import annotations

from pathlib import Path

from kiosk.export_targets import DriveFinder


class FakeMounts:
    """A mount root with sticks in it, and the mount table that says which are mounted."""

    def __init__(self, tmp: Path):
        self.root = tmp / "media" / "kiosk"
        self.root.mkdir(parents=True)
        self.table = tmp / "mounts"
        self.lines = ["sysfs /sys sysfs rw,nosuid 0 0", "/dev/sda2 / ext4 rw,relatime 0 0"]
        self.write()

    def plug(self, name: str, *, options: str = "rw,nosuid,nodev", escaped: str = "") -> Path:
        stick = self.root / name
        stick.mkdir()
        self.lines.append(f"/dev/sd{len(self.lines)}1 {self.root}/{escaped or name} vfat "
                          f"{options} 0 0")
        self.write()
        return stick

    def unplug(self, name: str) -> None:
        self.lines = [x for x in self.lines if not x.split()[1].endswith("/" + name)]
        self.write()

    def write(self) -> None:
        self.table.write_text("\n".join(self.lines) + "\n")

    def finder(self) -> DriveFinder:
        return DriveFinder(roots=(self.root,), mounts_file=self.table)
