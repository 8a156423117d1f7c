"""Real disks that cannot take letters: read-only and full. Commands that only read still work;
the others refuse with exit 2 and say what to do; nothing is half-written or left behind.

Each test mounts its own small tmpfs (root only; skipped otherwise, with the reason).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from kiosk.store import StorageError, Store
from tests.support import ROOT
from tests.support.checks.kiosk_cli import assert_refused, kiosk_cli
from tests.support.letters import add_letters
from tests.support.peers.disks import fill_up, remount_read_only, tmpfs
from tests.support.stores import DB, digest, make_store

READ_ONLY_SAID = ("cannot be written to", "the disk is mounted read-only", "Nothing was changed")


@pytest.fixture
def read_only_store(tmp_path):
    """A store with letters waiting, on a disk then remounted read-only."""
    with tmpfs(tmp_path / "disk", "16m") as disk:
        make_store(disk / "data", 20)
        remount_read_only(disk)
        yield disk / "data"


def test_reading_commands_work_on_a_read_only_disk(read_only_store, tmp_path):
    data_dir = read_only_store
    listed = kiosk_cli("outbox", "list", "--data-dir", str(data_dir))
    assert listed.returncode == 0, listed.stderr
    assert "20 waiting" in listed.stdout
    jobs = kiosk_cli("print-queue", "list", "--data-dir", str(data_dir))
    assert jobs.returncode == 0, jobs.stderr
    assert len(jobs.stdout.splitlines()) == 21  # the heading and 20 jobs

    out = tmp_path / "usb"
    done = kiosk_cli("export", "--out", str(out), "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert "Letters in the PDF: 20" in done.stdout
    assert (out / "letters.pdf").stat().st_size > 0
    assert "could not be written to the audit log: the disk is mounted read-only" in done.stderr


@pytest.mark.parametrize("command", [
    ["run"], ["outbox", "retry", "1"], ["outbox", "cancel", "1"], ["outbox", "release"],
    ["outbox", "send"], ["print-queue", "retry", "1"], ["print-queue", "cancel", "1"],
    ["purge", "--days", "0"], ["salvage"],
])
def test_changing_commands_refuse_a_read_only_disk(read_only_store, command):
    assert_refused(kiosk_cli(*command, "--data-dir", str(read_only_store)), *READ_ONLY_SAID)


def test_a_missing_data_dir_on_a_read_only_disk_is_refused(tmp_path):
    with tmpfs(tmp_path / "disk", "1m") as disk:
        remount_read_only(disk)
        assert_refused(kiosk_cli("outbox", "list", "--data-dir", str(disk / "nothing-here")),
                       "cannot be made", "Read-only file system")


def test_a_read_only_disk_after_a_crash_reads_the_wal_or_says_why_not(tmp_path):
    """The kiosk was killed (its WAL and index left behind), then the disk went read-only."""
    with tmpfs(tmp_path / "disk", "16m") as disk:
        data_dir = disk / "data"
        make_store(data_dir, 5)
        writer = ("import os, sys\n"
                  "from pathlib import Path\n"
                  "from kiosk.store import Store\n"
                  "from tests.support.letters import add_letters\n"
                  "s = Store(Path(sys.argv[1]))\n"
                  "s.conn.execute('PRAGMA wal_autocheckpoint=0')\n"
                  "add_letters(s, 3, start=5)\n"
                  "os._exit(0)\n")
        subprocess.run([sys.executable, "-c", writer, str(data_dir)], cwd=ROOT, check=True,
                       timeout=120)
        remount_read_only(disk)
        listed = kiosk_cli("outbox", "list", "--data-dir", str(data_dir))
        assert listed.returncode == 0, listed.stderr
        assert "8 waiting" in listed.stdout, "the letters only the WAL holds are read too"

        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True, timeout=30)
        (data_dir / f"{DB}-shm").unlink()  # without its index, a read-only WAL cannot be read
        remount_read_only(disk)
        assert_refused(kiosk_cli("outbox", "list", "--data-dir", str(data_dir)),
                       "recent changes (in kiosk.sqlite3-wal)", "copy the whole folder")


# --- full ---------------------------------------------------------------------------------------


def test_purge_on_a_full_disk_refuses_and_changes_nothing(tmp_path):
    with tmpfs(tmp_path / "disk", "8m") as disk:
        data_dir = disk / "data"
        make_store(data_dir, 40, delivered=True)
        filler = fill_up(disk)
        before = digest(data_dir / DB)
        assert_refused(kiosk_cli("purge", "--days", "0", "--data-dir", str(data_dir)),
                       "is full", "free some space")
        filler.unlink()
        conn = sqlite3.connect(data_dir / DB)
        names = [r[0] for r in conn.execute("SELECT last_name FROM letters")]
        conn.close()
        assert all(names) and digest(data_dir / DB) == before, "nothing was purged"

        done = kiosk_cli("purge", "--days", "0", "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr  # with room again, it works


def test_run_refuses_a_full_disk_before_opening_a_window(tmp_path):
    with tmpfs(tmp_path / "disk", "8m") as disk:
        data_dir = disk / "data"
        make_store(data_dir, 5)
        fill_up(disk)
        assert_refused(kiosk_cli("run", "--data-dir", str(data_dir)), "is full")


def test_run_refuses_a_disk_too_full_for_a_day_of_letters(tmp_path):
    from kiosk.store.opening import MIN_FREE_BYTES

    with tmpfs(tmp_path / "disk", f"{MIN_FREE_BYTES // 1024 + 1024}k") as disk:
        data_dir = disk / "data"
        make_store(data_dir, 5)
        (disk / "big.bin").write_bytes(b"\0" * (2 * 1024 * 1024))
        assert_refused(kiosk_cli("run", "--data-dir", str(data_dir)), "is full")


def test_keeping_a_letter_on_a_full_disk_is_a_storage_refusal_and_all_or_nothing(tmp_path):
    with tmpfs(tmp_path / "disk", "8m") as disk:
        data_dir = disk / "data"
        make_store(data_dir, 5)
        store = Store(data_dir)
        try:
            filler = fill_up(disk)
            with pytest.raises(StorageError) as refused:
                add_letters(store, 30, start=5, body_words=400)
            assert refused.value.kind == "full"
            filler.unlink()
            n = store.conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
            jobs = store.conn.execute("SELECT COUNT(*) FROM print_jobs").fetchone()[0]
            assert n == jobs and 5 <= n < 35, "each visitor's letters whole or not at all"
        finally:
            store.close()


def test_an_export_to_a_full_stick_leaves_nothing_half_written(tmp_path):
    data_dir = tmp_path / "data"
    make_store(data_dir, 8)
    with tmpfs(tmp_path / "stick", "2m") as stick:
        first = kiosk_cli("export", "--out", str(stick), "--data-dir", str(data_dir))
        assert first.returncode == 0, first.stderr
        earlier = {p.name: digest(p) for p in stick.iterdir()}
        store = Store(data_dir)
        add_letters(store, 4, start=8)
        store.close()
        fill_up(stick)

        done = kiosk_cli("export", "--out", str(stick), "--data-dir", str(data_dir))
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert "Cannot write the export to" in done.stderr and "No space left" in done.stderr
        left = {p.name for p in stick.iterdir()}
        assert not [n for n in left if n.endswith(".tmp")], left
        assert {n: digest(stick / n) for n in earlier} == earlier, \
            "the earlier export stays whole: all three files from the same moment"
