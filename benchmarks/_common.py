"""Shared helpers: statistics, reporting, the machine, and throwaway campaign copies."""

from __future__ import annotations

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


def write_campaign(folder: Path, *, printer: dict | None = None, email: dict | None = None,
                   donation_url: str | None = None) -> Path:
    """A modified copy of the sample campaign in ``folder`` (see tests/support/campaigns.py)."""
    from tests.support.campaigns import write_campaign as write

    return write(folder, printer=printer, email=email, donation_url=donation_url)


def offscreen_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
