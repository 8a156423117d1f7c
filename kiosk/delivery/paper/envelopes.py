"""Recipients' addresses on envelopes (one landscape page each) or on a sheet of labels, for
letters that go in plain envelopes: those printed on the receipt printer only.

The addresses are the campaign's, not the visitor's, but they pass through the same cleaner
as every text on paper: a campaign file can hold anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kiosk.delivery.paper.fonts import FAMILY, TextCleaner, codepoints, start_pdf, typeface
from kiosk.delivery.paper.geometry import (
    LABEL_SHEETS,
    PAPER_SIZES,
    PLAIN_ENVELOPES,
    Box,
    Envelope,
    Sheet,
)

if TYPE_CHECKING:
    from fpdf import FPDF

PT = 0.3528  # mm per point
LEADING = 1.2
RECIPIENT_SIZES = (12.0, 11.0, 10.0, 9.0)
RETURN_SIZES = (9.0, 8.0, 7.0)
LABEL_SIZES = (11.0, 10.0, 9.0, 8.0, 7.0, 6.0)
# Inside a label: Avery 5160's corners are rounded and printers drift by a millimetre or so.
LABEL_PADDING = (4.0, 2.5)  # sideways, up and down
ELLIPSIS = "…"


def envelopes_pdf(addresses: Sequence[Sequence[str]], *, envelope: Envelope,
                  return_address: Sequence[str], title: str = "") -> bytes:
    """One envelope-sized landscape page per address: the return address top left, the
    recipient's where postal sorting machines read it (``geometry.PLAIN_ENVELOPES``)."""
    if not addresses:
        raise ValueError("envelopes_pdf needs at least one address")
    spec = PLAIN_ENVELOPES[envelope]
    face = typeface()
    pdf = start_pdf(face, spec.size, title=title)
    pdf.set_auto_page_break(False)
    clean = TextCleaner(codepoints(face.regular))
    sender = [clean(x) for x in return_address if x.strip()]
    for address in addresses:
        pdf.add_page()
        if sender:
            _draw(pdf, sender, spec.return_box, RETURN_SIZES, anchor="top")
        # Two inches down from the top when it fits, as the eye and the machines expect.
        _draw(pdf, [clean(x) for x in address], spec.recipient_box, RECIPIENT_SIZES,
              anchor="address")
    return bytes(pdf.output())


def labels_pdf(addresses: Sequence[Sequence[str]], *, sheet: Sheet, title: str = "") -> bytes:
    """One address per label, row by row, as many sheets as it takes; each address shrunk to
    fit its label (wrapped where it must be, down to 6 pt, then cut short with "…"), never
    beyond it."""
    if not addresses:
        raise ValueError("labels_pdf needs at least one address")
    spec = LABEL_SHEETS[sheet]
    face = typeface()
    pdf = start_pdf(face, PAPER_SIZES[spec.paper], title=title)
    pdf.set_auto_page_break(False)
    clean = TextCleaner(codepoints(face.regular))
    pad_x, pad_y = LABEL_PADDING
    for i, address in enumerate(addresses):
        if i % spec.per_sheet == 0:
            pdf.add_page()
        label = spec.box(i)
        inner = Box(label.x + pad_x, label.y + pad_y, label.w - 2 * pad_x, label.h - 2 * pad_y)
        _draw(pdf, [clean(x) for x in address], inner, LABEL_SIZES, anchor="middle")
    return bytes(pdf.output())


def label_inner(sheet: Sheet, index: int) -> Box:
    """Where a label's text may go: the label less its padding."""
    label = LABEL_SHEETS[sheet].box(index)
    pad_x, pad_y = LABEL_PADDING
    return Box(label.x + pad_x, label.y + pad_y, label.w - 2 * pad_x, label.h - 2 * pad_y)


def _draw(pdf: FPDF, lines: list[str], box: Box, sizes: Sequence[float], *,
          anchor: str) -> None:
    """``lines`` inside ``box`` (see ``_fit``), anchored at its top, its middle, or two inches
    down as an envelope's address."""
    lines = [x for x in lines if x.strip()] or [""]
    size, shown = _fit(pdf, lines, box, sizes)
    lh = size * PT * LEADING
    height = len(shown) * lh
    if anchor == "middle":
        top = box.y + (box.h - height) / 2
    elif anchor == "address":
        top = max(box.y, min(2 * 25.4, box.bottom - height))
    else:
        top = box.y
    pdf.set_font(FAMILY, "", size)
    for n, line in enumerate(shown):
        # Baseline 0.8 of a line down: ascenders stay below the line's top, descenders above
        # its bottom, so the whole block stays within ``height``.
        pdf.text(box.x, top + n * lh + 0.8 * lh, line)


def _fit(pdf: FPDF, lines: list[str], box: Box, sizes: Sequence[float]) -> tuple[float,
                                                                               list[str]]:
    """The largest size at which the lines, wrapped at spaces where they must be, fit the box
    (a long office name on two lines reads better than the whole address at 6 pt); at the
    smallest, the lines that fit, the last cut short with "…"."""
    for size in sizes:
        pdf.set_font(FAMILY, "", size)
        wrapped = [part for line in lines for part in _wrap(pdf, line, box.w)]
        if len(wrapped) * size * PT * LEADING <= box.h:
            return size, wrapped
    room = max(1, int(box.h // (sizes[-1] * PT * LEADING)))
    wrapped = wrapped[:room]
    wrapped[-1] = _shorten(pdf, wrapped[-1], box.w)
    return sizes[-1], wrapped


def _wrap(pdf: FPDF, line: str, width: float) -> list[str]:
    """Greedy word wrap at the current font; a word wider than ``width`` is cut."""
    out: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if pdf.get_string_width(candidate) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        while pdf.get_string_width(word) > width and len(word) > 1:
            cut = _widest(pdf, word, width)
            out.append(word[:cut])
            word = word[cut:]
        current = word
    out.append(current)
    return out


def _widest(pdf: FPDF, text: str, width: float, suffix: str = "") -> int:
    """How many of ``text``'s first characters fit ``width`` (with ``suffix``); at least 1."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdf.get_string_width(text[:mid] + suffix) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _shorten(pdf: FPDF, line: str, width: float) -> str:
    """The line with "…" at its end, cut until it fits: more follows that has no room."""
    if pdf.get_string_width(line + ELLIPSIS) <= width:
        return line + ELLIPSIS
    return line[:_widest(pdf, line, width, ELLIPSIS) - 1].rstrip() + ELLIPSIS
