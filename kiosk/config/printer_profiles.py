"""What a receipt printer can do, from python-escpos's printer database: columns, paper width,
cutter, the code pages each profile knows, and which code pages Python can encode.

Read from python-escpos's capabilities.json *without importing python-escpos*, so checking a
campaign file stays fast and does not trigger the library's logging set-up. Plain data, so the
campaign models can check a printer's settings against it (``PrinterSettings``); the receipt
(``kiosk.delivery``) uses the same facts to lay itself out.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# When a profile does not say how wide its paper is ("default", "simple"), the paper decides.
PAPER_COLUMNS = {58: (32, 42), 80: (42, 56)}  # font A, font B
PAPER_DOTS = {58: 384, 80: 512}  # conservative printable width (80 mm heads have 512 or 576)


@cache
def capabilities() -> dict[str, Any]:
    spec = importlib.util.find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("python-escpos is not installed (pip install python-escpos)")
    path = Path(next(iter(spec.submodule_search_locations))) / "capabilities.json"
    caps: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return caps


def profile_names() -> list[str]:
    return sorted(capabilities()["profiles"])


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    font_columns: dict[int, int]
    width_mm: float | None
    width_dots: int | None
    code_pages: dict[str, int]  # code page name -> ESC t table number
    full_cut: bool
    part_cut: bool
    native_qr: bool

    @property
    def can_cut(self) -> bool:
        return self.full_cut or self.part_cut


def profile_info(name: str) -> ProfileInfo:
    """Facts about a python-escpos profile. KeyError for an unknown name."""
    data = capabilities()["profiles"][name]
    media = data.get("media", {}).get("width", {})
    pages: dict[str, int] = {}
    for table, page in sorted(data.get("codePages", {}).items(), key=lambda kv: int(kv[0])):
        # A page listed twice (POS-5890 has CP1252 at 16 and 71): the lower, standard slot.
        if page != "Unknown":
            pages.setdefault(page, int(table))
    feats = data.get("features", {})
    return ProfileInfo(
        name=name,
        font_columns={int(k): int(v["columns"]) for k, v in data.get("fonts", {}).items()
                      if str(v.get("columns", "")).isdigit()},
        width_mm=media.get("mm") if isinstance(media.get("mm"), int | float) else None,
        width_dots=media.get("pixels") if isinstance(media.get("pixels"), int) else None,
        code_pages=pages,
        full_cut=bool(feats.get("paperFullCut")),
        part_cut=bool(feats.get("paperPartCut")),
        native_qr=bool(feats.get("qrCode")),
    )


def python_codec(codepage: str) -> str | None:
    """The Python codec for an ESC/POS code page name, or None if we cannot encode it."""
    enc = capabilities()["encodings"].get(codepage.upper(), {})
    codec: str | None = enc.get("python_encode")
    return codec


def known_codepages() -> list[str]:
    return sorted(k for k, v in capabilities()["encodings"].items() if v.get("python_encode"))
