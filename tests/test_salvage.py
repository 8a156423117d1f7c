"""``python -m kiosk salvage``: every letter that can still be read goes into a new store; the
damaged files are kept aside byte for byte; nothing is lost that could be read."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk.store import Store
from kiosk.store.opening import expected_tables
from kiosk.store.page_reader import Pages
from kiosk.store.salvage import salvage
from kiosk.store.schema import VERSION
from tests.support import ROOT
from tests.support.checks.kiosk_cli import assert_refused, kiosk_cli
from tests.support.letters import add_letters
from tests.support.stores import (
    DB,
    all_garbage,
    digest,
    make_store,
    overwrite_pages,
    pages_of,
    table_rows,
    truncate_half,
)


def _kept(data_dir):
    [kept] = [p for p in data_dir.iterdir() if p.name.startswith("damaged-")]
    return kept


def _salvaged(data_dir) -> dict[str, dict[int, tuple]]:
    store = Store(data_dir)  # opens: the new store passes every check
    store.close()
    return {t: table_rows(data_dir / DB, t) for t in ("letters", "print_jobs", "outbox")}


def _report(done) -> dict[str, int]:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = {}
    for line in done.stdout.splitlines():
        head, _, n = line.strip().rpartition(": ")
        if n.isdigit():
            out[head] = int(n)
    return out


def test_damaged_leaf_pages_lose_only_the_letters_on_them(tmp_path):
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 200)
    before = {t: table_rows(db, t) for t in ("letters", "print_jobs", "outbox")}
    leaves = pages_of(db, "letters", "leaf")
    hit = [leaves[10], leaves[len(leaves) // 2]]
    overwrite_pages(db, [n for n, _ in hit])
    damaged = digest(db)
    assert_refused(kiosk_cli("outbox", "list", "--data-dir", str(data_dir)), "salvage")

    done = kiosk_cli("salvage", "--data-dir", str(data_dir))
    report = _report(done)
    lost = sum(cells for _, cells in hit)
    after = _salvaged(data_dir)
    assert report["Letters recovered"] == len(after["letters"]) == 200 - lost
    assert report["Letter numbers missing (those letters could not be read)"] == lost
    for letter_id, row in after["letters"].items():
        assert row == before["letters"][letter_id], "every recovered letter exactly as it was"
    for table in ("print_jobs", "outbox"):
        for row_id, row in after[table].items():
            assert row == before[table][row_id]
    kept = _kept(data_dir)
    assert digest(kept / DB) == damaged, "the damaged file is kept, byte for byte"
    assert f"The damaged files are kept, unchanged, in {kept}" in done.stdout
    assert "python -m kiosk print-queue list" in done.stdout, "and what to check next"


def test_a_damaged_root_page_loses_nothing_the_pages_still_hold(tmp_path):
    """SQLite cannot reach a single letter once the table's root page is gone; every letter is
    still whole on its own page, and salvage reads them from there."""
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 200)
    before = table_rows(db, "letters")
    [(root, _)] = pages_of(db, "letters", "internal")
    overwrite_pages(db, [root])
    report = _report(kiosk_cli("salvage", "--data-dir", str(data_dir)))
    after = _salvaged(data_dir)["letters"]
    assert after == before
    assert report["Letters recovered"] == 200
    assert report["Of these, read straight from damaged pages (SQLite could not reach them)"] \
        >= 200


def test_recent_letters_only_in_the_wal_come_back_when_the_main_file_is_garbage(tmp_path):
    """The kiosk was killed with its latest letters still in the WAL; then every byte of the
    main file was lost. The letters the WAL holds come back, exactly."""
    data_dir = tmp_path / "data"
    make_store(data_dir, 60)
    writer = ("import os, sys\n"
              "from pathlib import Path\n"
              "from kiosk.store import Store\n"
              "from tests.support.letters import add_letters\n"
              "s = Store(Path(sys.argv[1]))\n"
              "s.conn.execute('PRAGMA wal_autocheckpoint=0')\n"
              "add_letters(s, 40, start=60)\n"
              "os._exit(0)  # killed: no checkpoint, the WAL stays\n")
    subprocess.run([sys.executable, "-c", writer, str(data_dir)], cwd=ROOT, check=True,
                   timeout=120)
    assert (data_dir / f"{DB}-wal").stat().st_size > 0
    copy = tmp_path / "reference"
    copy.mkdir()
    for name in (DB, f"{DB}-wal"):
        (copy / name).write_bytes((data_dir / name).read_bytes())
    before = table_rows(copy / DB, "letters")
    assert len(before) == 100
    all_garbage(data_dir / DB)
    wal = digest(data_dir / f"{DB}-wal")

    done = kiosk_cli("salvage", "--data-dir", str(data_dir), "--lang", "fr")
    report = _report(done)
    after = _salvaged(data_dir)["letters"]
    assert set(range(61, 101)) <= set(after), "every letter only the WAL held"
    assert all(before[i] == row for i, row in after.items())
    assert report.get("Lettres récupérées\u00a0") == len(after), done.stdout
    assert digest(_kept(data_dir) / f"{DB}-wal") == wal


def test_a_truncated_store_keeps_every_letter_before_the_cut(tmp_path):
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 200)
    before = table_rows(db, "letters")
    truncate_half(db)
    report = _report(kiosk_cli("salvage", "--data-dir", str(data_dir)))
    after = _salvaged(data_dir)["letters"]
    assert 0 < len(after) < 200 and report["Letters recovered"] == len(after)
    assert all(before[i] == row for i, row in after.items())


def test_a_garbled_letter_is_kept_with_its_garbled_characters_marked(tmp_path):
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 50)
    before = table_rows(db, "letters")
    leaf = pages_of(db, "letters", "leaf")[3][0]
    data = bytearray(db.read_bytes())
    data[(leaf - 1) * 4096 + 2000:(leaf - 1) * 4096 + 2040] = b"\xff" * 40  # inside words
    db.write_bytes(bytes(data))
    overwrite_pages(db, [pages_of(db, "outbox", "leaf")[0][0]])  # and a page gone elsewhere
    _report(kiosk_cli("salvage", "--data-dir", str(data_dir)))
    after = _salvaged(data_dir)["letters"]
    assert set(after) == set(before), "no letter lost for a few bad bytes"
    assert any("\ufffd" in str(row) for row in after.values())


def test_an_emptied_store_starts_again_and_the_empty_file_is_kept(tmp_path):
    data_dir = tmp_path / "data"
    make_store(data_dir, 5)
    os.truncate(data_dir / DB, 0)
    report = _report(kiosk_cli("salvage", "--data-dir", str(data_dir)))
    assert report["Letters recovered"] == 0
    assert (_kept(data_dir) / DB).stat().st_size == 0
    assert kiosk_cli("outbox", "list", "--data-dir", str(data_dir)).returncode == 0


def test_a_healthy_store_is_left_alone(tmp_path):
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 5)
    before = digest(db)
    done = kiosk_cli("salvage", "--data-dir", str(data_dir))
    assert done.returncode == 0 and "healthy" in done.stdout
    assert digest(db) == before
    assert not [p for p in data_dir.iterdir() if p.name.startswith(("damaged-", ".salvage"))]


def test_salvage_waits_for_the_kiosk_to_stop(tmp_path):
    from kiosk.single_instance import hold_lock

    data_dir = tmp_path / "data"
    db = make_store(data_dir, 5)
    truncate_half(db)
    before = digest(db)
    lock = hold_lock(data_dir)  # as the running kiosk holds it
    try:
        assert_refused(kiosk_cli("salvage", "--data-dir", str(data_dir)), "already running")
    finally:
        lock.close()
    assert digest(db) == before


def test_salvage_in_process_reports_what_it_did(tmp_path):
    data_dir = tmp_path / "data"
    db = make_store(data_dir, 30)
    store = Store(data_dir)
    add_letters(store, 1, start=30)
    store.close()
    [(leaf, cells)] = pages_of(db, "print_jobs", "leaf")[:1]
    overwrite_pages(db, [leaf], filler=b"\0")
    report = salvage(data_dir)
    assert report.recovered["letters"] == 31
    assert report.recovered["print_jobs"] == 31 - cells
    assert report.lost_letters == 0 and report.kept_in is not None


LETTER_COLUMNS = len(expected_tables(VERSION)["letters"])


@pytest.mark.parametrize("letters", [1, 150])
def test_the_page_reader_reads_exactly_what_sqlite_reads(tmp_path, letters):
    db = make_store(tmp_path / "data", letters)
    raw = {r.rowid: r.values for r in Pages.load(db, None).rows()
           if len(r.values) == LETTER_COLUMNS}
    sql = table_rows(db, "letters")
    assert {i: (i, *v[1:]) for i, v in raw.items()} == sql


def test_salvage_of_a_folder_that_never_held_a_store_says_so(tmp_path):
    assert_refused(kiosk_cli("salvage", "--data-dir", str(tmp_path / "typo")),
                   "There is no letter store in", "check that --data-dir names the folder")
    assert not (tmp_path / "typo" / DB).exists(), "and makes none"


def test_the_page_reader_survives_any_bytes(tmp_path):
    """Every length and offset it reads comes from a damaged file: none may crash it or make it
    loop. Random files, and a real store with random stretches overwritten, seeded to repeat."""
    import random

    rng = random.Random(20250614)
    db = make_store(tmp_path / "data", 40)
    good = db.read_bytes()
    junk = tmp_path / "junk.sqlite3"
    for round_ in range(120):
        if round_ % 4 == 0:
            data = bytearray(rng.randbytes(rng.choice([0, 1, 99, 100, 4096, 3 * 4096 + 7])))
        else:
            data = bytearray(good)
            for _ in range(rng.randint(1, 12)):
                at = rng.randrange(len(data))
                data[at:at + rng.randint(1, 600)] = rng.randbytes(rng.randint(1, 600))
        junk.write_bytes(bytes(data))
        for row in Pages.load(junk, None).rows():
            assert isinstance(row.values, tuple) and isinstance(row.rowid, int)
