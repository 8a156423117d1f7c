"""Shared helpers: statistics, reporting, the machine, and throwaway campaign copies."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "sample-campaign.toml"
TEMPLATES = ROOT / "templates"


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest-rank (no interpolation: a figure that really happened)."""
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]


@dataclass
class Figures:
    """Raw figures of one measured quantity, in the unit given."""

    values: list[float]
    unit: str = "ms"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        return p95(self.values)

    def line(self) -> str:
        v = self.values
        return (f"median {self.median:.2f} {self.unit}, p95 {self.p95:.2f} {self.unit}, "
                f"min–max {min(v):.2f}–{max(v):.2f} {self.unit} (n={len(v)})")

    def as_dict(self) -> dict:
        v = self.values
        return {"unit": self.unit, "n": len(v), "median": self.median, "p95": self.p95,
                "min": min(v), "max": max(v)}


@dataclass
class Result:
    """One goal: what was measured, against what, and whether the goal was met."""

    name: str
    goal: str
    measured: str  # the headline figure, as it goes in the table
    baseline: str  # "—" when the goal has no baseline
    ratio: str  # "—" when the goal has no baseline
    met: bool
    command: str
    notes: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    def report(self) -> None:
        verdict = "MET" if self.met else "GOAL MISSED"
        print(f"\n== {self.name} ==")
        print(f"   goal:     {self.goal}")
        print(f"   measured: {self.measured}")
        if self.baseline != "—":
            print(f"   baseline: {self.baseline}")
            print(f"   ratio:    {self.ratio}")
        for n in self.notes:
            print(f"   {n}")
        print(f"   => {verdict}" + ("" if self.met else f": {self.name} did not meet {self.goal}"))
        sys.stdout.flush()


def rss_kib() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import PySide6
    from PySide6 import QtCore

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "qt": QtCore.qVersion(),
        "qt_platform": os.environ.get("QT_QPA_PLATFORM", "(default)"),
    }


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    return str(value)


def _replace_table(text: str, table: str, settings: dict[str, object]) -> str:
    """Replace the scalar keys of ``[table]``; keys like ``footer.en`` are kept as they are."""
    start = text.index(f"\n[{table}]\n") + len(f"\n[{table}]\n")
    end = text.index("\n[", start)
    kept = [line for line in text[start:end].splitlines()
            if "." in line.split("=", 1)[0] and not line.lstrip().startswith("#")]
    block = [f"{k} = {_toml(v)}" for k, v in settings.items()] + kept
    return text[:start] + "\n".join(block) + "\n" + text[end:]


def write_campaign(folder: Path, *, printer: dict | None = None, email: dict | None = None,
                   donation_url: str | None = None) -> Path:
    """A modified copy of the sample campaign in ``folder`` (the sample itself is never edited):
    templates found by absolute path, and ``[printer]`` / ``[email]`` replaced when given."""
    text = SAMPLE.read_text(encoding="utf-8")
    old = 'templates_dir = "../templates"'
    assert old in text
    text = text.replace(old, f"templates_dir = {_toml(str(TEMPLATES))}")
    if donation_url:
        text = text.replace('url = "https://example.org/REPLACE-ME/donate"',
                            f"url = {_toml(donation_url)}")
    if printer is not None:
        text = _replace_table(text, "printer", printer)
    if email is not None:
        text = _replace_table(text, "email", email)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    return path


def offscreen_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
