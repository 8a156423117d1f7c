"""The store is a boundary: every SQL statement of the kiosk lives under kiosk/store."""

from __future__ import annotations

import re
from pathlib import Path

KIOSK = Path(__file__).resolve().parent.parent / "kiosk"
STORE = KIOSK / "store"
# A statement run, a cursor or connection made, or SQLite itself, anywhere but the store.
SQL = re.compile(r"\.execute(many|script)?\(|\bsqlite3\b|\bcursor\(")


def test_no_sql_outside_kiosk_store():
    found = [
        f"{path.relative_to(KIOSK.parent)}:{n}: {line.strip()}"
        for path in sorted(KIOSK.rglob("*.py")) if STORE not in path.parents
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert found == [], "SQL belongs in kiosk/store:\n" + "\n".join(found)


def test_the_check_sees_sql_where_it_is():
    assert any(SQL.search(p.read_text(encoding="utf-8")) for p in STORE.rglob("*.py"))
