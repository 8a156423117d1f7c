"""Reading the kiosk's PDFs back with pypdf: where each piece of text starts, what images a
page draws."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

PT_PER_MM = 72 / 25.4


def reader(data: bytes) -> PdfReader:
    return PdfReader(BytesIO(data))


def page_size_mm(page) -> tuple[float, float]:
    return float(page.mediabox.width) / PT_PER_MM, float(page.mediabox.height) / PT_PER_MM


def runs(page) -> list[tuple[str, float, float, float]]:
    """Each piece of text drawn on a page: (text, x, y of its baseline, font size), in mm from
    the page's left and top edges, in drawing order."""
    found: list[tuple[str, float, float, float]] = []
    height = float(page.mediabox.height)

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / PT_PER_MM, (height - y) / PT_PER_MM,
                          size * tm[0] * cm[0]))

    page.extract_text(visitor_text=visit)
    return found


def where(page, start: str) -> tuple[float, float]:
    """Where the first piece of text beginning with ``start`` is drawn."""
    for text, x, y, _ in runs(page):
        if text.startswith(start):
            return x, y
    raise AssertionError(f"{start!r} not on the page: {[r[0] for r in runs(page)]}")


def images(page) -> int:
    """Image XObjects the page draws."""
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
