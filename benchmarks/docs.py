"""Writing the results table into docs/performance.md, between its two marker lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from benchmarks._common import ROOT

START, END = "<!-- results:start -->", "<!-- results:end -->"
DOC = ROOT / "docs" / "performance.md"


def table(results, machine: dict[str, str], *, quick: bool) -> str:
    rows = [
        f"Measured {date.today().isoformat()}"
        + (" (quick run: fewer repetitions)" if quick else "") + " on: "
        + f"{machine['cpu']}, {machine['cores']} cores, {machine['ram']} RAM, "
        + f"{machine['os']}, Python {machine['python']}, PySide6 {machine['pyside6']} "
        + f"(Qt {machine['qt']}), Qt platform `{machine['qt_platform']}`.",
        "",
        "| goal | target | measured | baseline | ratio | met | command |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(f"| {r.name} | {r.goal} | {r.measured} | {r.baseline} | {r.ratio} | "
                    f"{'yes' if r.met else '**no**'} | `{r.command}` |")
    rows.append("")
    rows.append("<details><summary>Raw figures</summary>")
    rows.append("")
    for r in results:
        rows.append(f"**{r.name}**")
        rows.append("")
        for n in r.notes:
            rows.append(f"    {n}")
        rows.append("")
    rows.append("</details>")
    return "\n".join(rows)


def write_results(results, machine: dict[str, str], *, quick: bool = False) -> Path:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{table(results, machine, quick=quick)}\n{END}{tail}",
                   encoding="utf-8")
    return DOC
