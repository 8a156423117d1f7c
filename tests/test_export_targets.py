"""Where an export may go: the removable drives mounted now, each with its label and size, and
the data dir. A temp directory tree with two "sticks" and a mount table naming them stands in
for /media/<user> and /proc/self/mounts; the sticks are real folders on a real filesystem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.export_targets import (
    DriveFinder,
    ExportTarget,
    data_dir_target,
    make_export_folder,
    size_text,
)
from tests.support.peers.usb_drives import FakeMounts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mounts(tmp_path) -> FakeMounts:
    return FakeMounts(tmp_path)


def test_every_mounted_drive_is_offered_with_label_and_size(mounts):
    mounts.plug("A-VISITOR")
    mounts.plug("KINGSTON")
    drives = mounts.finder().drives()
    assert [d.label for d in drives] == ["A-VISITOR", "KINGSTON"]
    for d in drives:
        assert d.is_drive and d.writable and d.total_bytes > 0 and d.free_bytes >= 0
        assert d.path == mounts.root / d.label


def test_a_folder_left_behind_by_a_drive_pulled_out_is_not_a_drive(mounts):
    mounts.plug("KINGSTON")
    (mounts.root / "OLD-STICK").mkdir()  # not in the mount table: writing there fills the disk
    assert [d.label for d in mounts.finder().drives()] == ["KINGSTON"]
    mounts.unplug("KINGSTON")
    assert mounts.finder().drives() == []


def test_labels_with_spaces_and_hostile_characters(mounts):
    mounts.plug("MY STICK", escaped="MY\\040STICK")
    mounts.plug("EVIL\u202eKCITS")  # a right-to-left override would reverse the words after it
    mounts.plug("x" * 200)
    labels = [d.label for d in mounts.finder().drives()]
    assert "MY STICK" in labels
    assert "EVILKCITS" in labels
    assert all(len(x) <= 40 and x.isprintable() for x in labels)


def test_a_read_only_drive_is_shown_but_cannot_be_chosen(mounts):
    mounts.plug("LOCKED", options="ro,nosuid")
    (drive,) = mounts.finder().drives()
    assert not drive.writable


def test_drives_outside_the_mount_roots_are_not_offered(mounts, tmp_path):
    elsewhere = tmp_path / "mnt" / "backup"
    elsewhere.mkdir(parents=True)
    mounts.lines.append(f"/dev/sdz1 {elsewhere} ext4 rw 0 0")
    mounts.lines.append(f"tmpfs {mounts.root} tmpfs rw 0 0")  # the root itself is no drive
    mounts.write()
    assert mounts.finder().drives() == []


def test_an_unreadable_mount_table_means_no_drives(tmp_path):
    finder = DriveFinder(roots=(tmp_path,), mounts_file=tmp_path / "no-such-file")
    assert finder.drives() == []


def test_the_export_folder_is_new_and_only_on_the_chosen_target(mounts, data_dir):
    mounts.plug("A-VISITOR")
    mounts.plug("KINGSTON")
    kingston = next(d for d in mounts.finder().drives() if d.label == "KINGSTON")
    folder = make_export_folder(kingston, "letter-kiosk-2025-05-17-160000", mounts.finder())
    assert folder == mounts.root / "KINGSTON" / "letter-kiosk-2025-05-17-160000"
    assert folder.is_dir() and (folder.stat().st_mode & 0o777) == 0o700
    assert list((mounts.root / "A-VISITOR").iterdir()) == []
    with pytest.raises(FileExistsError):  # never into a folder (or a link) already there
        make_export_folder(kingston, "letter-kiosk-2025-05-17-160000", mounts.finder())


def test_no_folder_on_a_drive_pulled_out_after_it_was_chosen(mounts):
    mounts.plug("KINGSTON")
    (kingston,) = mounts.finder().drives()
    mounts.unplug("KINGSTON")
    with pytest.raises(OSError, match="KINGSTON"):
        make_export_folder(kingston, "letter-kiosk-x", mounts.finder())
    assert list((mounts.root / "KINGSTON").iterdir()) == []


def test_the_data_dir_is_always_a_choice(data_dir, mounts):
    target = data_dir_target(data_dir)
    assert not target.is_drive and target.writable and target.path == data_dir / "exports"
    folder = make_export_folder(target, "letter-kiosk-x", mounts.finder())
    assert folder == data_dir / "exports" / "letter-kiosk-x" and folder.is_dir()


@pytest.mark.parametrize(("size", "en", "fr"), [
    (16_000_000_000, "16 GB", "16 Go"),
    (15_512_000_000, "16 GB", "16 Go"),
    (7_800_000_000, "7.8 GB", "7,8 Go"),
    (512_000_000, "512 MB", "512 Mo"),
    (3_000_000_000_000, "3000 GB", "3000 Go"),
])
def test_sizes_are_written_as_on_the_packet(size, en, fr):
    assert size_text(size, "en") == en
    assert size_text(size, "fr") == fr


def test_a_target_says_its_name_and_size():
    stick = ExportTarget(Path("/media/k/KINGSTON"), "KINGSTON", 16_000_000_000, 9_000_000_000,
                         writable=True, is_drive=True)
    assert stick.describe("en") == "KINGSTON (16 GB)"
    assert stick.describe("fr") == "KINGSTON (16 Go)"


def test_the_export_command_still_needs_an_explicit_folder(data_dir, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "export", "--data-dir", str(data_dir)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 2 and "--out" in done.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data"], "nothing was written"
