"""Writing the results table into docs/performance.md, between its two marker lines.

A run of some benchmarks (``--only``) replaces their rows and raw figures and keeps the others'
from the run that measured them; the line above the table says which rows are older.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from benchmarks._common import ROOT

START, END = "<!-- results:start -->", "<!-- results:end -->"
DOC = ROOT / "docs" / "performance.md"
_HEADER = "| goal | target | measured | baseline | ratio | met | command |"
_MEASURED = re.compile(r"^Measured (\d{4}-\d{2}-\d{2}).*? on: (.*?`[^`]*`)")


def _row(r) -> str:
    return (f"| {r.name} | {r.goal} | {r.measured} | {r.baseline} | {r.ratio} | "
            f"{'yes' if r.met else '**no**'} | `{r.command}` |")


def _raw(r) -> list[str]:
    return [f"**{r.name}**", "", *(f"    {n}" for n in r.notes), ""]


_KEPT = " Kept from the run of "
_KEPT_END = " (not measured in this one): "


def _previous(block: str) -> tuple[list[tuple[str, str]], dict[str, list[str]], dict[str, str]]:
    """The table rows (name, line), the raw figures (name -> lines) and where each row was
    measured (name -> "date on machine") in the block between the markers, as a run wrote it."""
    head = ""
    rows: list[tuple[str, str]] = []
    raw: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in block.splitlines():
        if _MEASURED.match(line) and not head:
            head = line
        elif line.startswith("| ") and line != _HEADER:
            rows.append((line.split(" | ")[0][2:], line))
        elif line.startswith("**") and line.endswith("**"):
            current = raw.setdefault(line[2:-2], [line])
        elif line.startswith("</details>"):
            current = None
        elif current is not None:
            current.append(line)
    m = _MEASURED.match(head)
    measured = {name: f"{m.group(1)} on {m.group(2)}" for name, _line in rows} if m else {}
    for part in head.split(_KEPT)[1:]:  # rows that run kept from runs before it
        where, _, names = part.partition(_KEPT_END)
        for name, _line in rows:
            if name in names:
                measured[name] = where
    return rows, raw, measured


def table(results, machine: dict[str, str], *, quick: bool, previous: str = "") -> str:
    old_rows, old_raw, measured = _previous(previous)
    fresh = {r.name: r for r in results}
    # The hub's benchmarks say which PostgreSQL served them: it goes with the machine, before
    # the Qt platform (the end of what a row kept from this run is said to be measured on).
    server = next((r.raw["postgresql"] for r in results if r.raw.get("postgresql")), None)
    head = (f"Measured {date.today().isoformat()}"
            + (" (quick run: fewer repetitions)" if quick else "") + " on: "
            + f"{machine['cpu']}, {machine['cores']} cores, {machine['ram']} RAM, "
            + f"{machine['os']}, Python {machine['python']}, PySide6 {machine['pyside6']} "
            + f"(Qt {machine['qt']}), " + (f"{server} (the hub), " if server else "")
            + f"Qt platform `{machine['qt_platform']}`.")
    kept: dict[str, list[str]] = {}
    for name, _line in old_rows:
        if name not in fresh:
            kept.setdefault(measured.get(name, "an earlier day"), []).append(name)
    for where, names in kept.items():
        head += f"{_KEPT}{where}{_KEPT_END}" + "; ".join(names) + "."
    rows = [head, "", _HEADER, "|---|---|---|---|---|---|---|"]
    written = set()
    for name, line in old_rows:  # the order the table had
        if name in fresh:
            rows.append(_row(fresh[name]))
            written.add(name)
        else:
            rows.append(line)
    rows += [_row(r) for r in results if r.name not in written]
    rows += ["", "<details><summary>Raw figures</summary>", ""]
    for name, _line in old_rows:
        if name in fresh:
            rows += _raw(fresh[name])
        elif name in old_raw:
            lines = old_raw[name]
            rows += lines if lines[-1] == "" else [*lines, ""]
    rows += [line for r in results if r.name not in written for line in _raw(r)]
    rows.append("</details>")
    return "\n".join(rows)


def write_results(results, machine: dict[str, str], *, quick: bool = False) -> Path:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"{START}\n{END}\n"
    head, _, rest = text.partition(START)
    previous, _, tail = rest.partition(END)
    DOC.write_text(
        f"{head}{START}\n{table(results, machine, quick=quick, previous=previous)}\n{END}{tail}",
        encoding="utf-8")
    return DOC
