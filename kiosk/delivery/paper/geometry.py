"""Sizes in millimetres: pages, window envelopes and where their window falls on the page,
envelopes to print on, and label sheets. Facts with their sources; no drawing here.

Where a window shows the page
-----------------------------
A letter is folded in three (top panel outwards) and slid into the envelope; the window shows
part of the top panel. The folded letter is shorter and narrower than the envelope, so it can
sit anywhere inside it, and US postal rules ask for the address to stay in the window "at all
times during processing and delivery, even if the insert moves" (USPS DMM 601.6.3, the "tap
test"). So each envelope gives three areas of the page:

``window_low``   what the window shows with the letter settled at the bottom and left
``window_high``  ... settled at the top and right (the other extreme)
``safe``         what the window shows wherever the letter settles (their intersection), less
                 a clearance, and in which the address is placed

Envelopes are smaller inside than out (seams, paper, the bulge of the folds), so the outside
sizes used here overstate the play: the safe area is on the cautious side.

US #10 with Letter (215.9 x 279.4 mm): the envelope is 9.5 x 4.125 in (241.3 x 104.8 mm) and
its standard window 4.5 x 1.125 in, 7/8 in from the left and 1/2 in from the bottom (the
common position, e.g. California State University's mail guide and response-envelope.com's
window specifications). A third of the page is 93.1 mm tall, so the letter has 11.6 mm of play
up and down and 25.4 mm sideways. Settled low, the window shows 51.9-80.4 mm from the top of the
page (the figures the export has always used, 54-80 mm); settled high, 63.5-92.1 mm. The safe
area is 63.5-80.4 mm: 16.9 mm, four short lines at 8 pt. An address that needs more grows
upwards into the low window (mail is read standing on its bottom edge, where the insert
settles), so that its last lines, the town and postal code, are the ones always shown.
Sideways the window shows 22.2-136.5 mm with the letter to the left, -3.2-111.1 mm to the
right: the address starts at 25 mm (as before) and stops at 109.6 mm (it used to run to 130).

DL with A4 (210 x 297 mm): the envelope is 220 x 110 mm (ISO 269) and its window 90 x 45 mm,
20 mm from the left and 15 mm from the bottom (DIN 680). The letter is folded at 105 and 210 mm
(DIN 5008 form B fold marks), so the top panel is 105 mm tall: 5 mm of play up and down, 10 mm
sideways. Settled low, the window shows 45-90 mm; high, 50-95 mm; the safe area 50-90 mm, which
holds DIN 5008's address zone (62.7-90 mm, 20 mm from the left).

Body text starts below the lowest line any window position can show, so no word of the letter
ever shows through the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MM_PER_IN = 25.4
Paper = Literal["letter", "a4"]
Envelope = Literal["us10", "dl"]
Sheet = Literal["avery5160", "l7160"]

PAPER_SIZES: dict[Paper, tuple[float, float]] = {
    "letter": (8.5 * MM_PER_IN, 11 * MM_PER_IN),  # 215.9 x 279.4
    "a4": (210.0, 297.0),
}
ENVELOPE_FOR: dict[Paper, Envelope] = {"letter": "us10", "a4": "dl"}
# Clear space kept inside the safe area on every side: a little ink spread, a slightly skewed
# fold. USPS asks for 1/8 in beyond the insert's full movement; with a Letter page folded in
# three that would leave 10.6 mm (two lines), so the outside-size play above stands in for it.
CLEARANCE = 1.5


@dataclass(frozen=True)
class Box:
    x: float
    y: float  # from the top edge
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def inset(self, by: float) -> Box:
        return Box(self.x + by, self.y + by, self.w - 2 * by, self.h - 2 * by)

    def holds(self, other: Box, slack: float = 0.01) -> bool:
        return (other.x >= self.x - slack and other.y >= self.y - slack
                and other.right <= self.right + slack and other.bottom <= self.bottom + slack)


@dataclass(frozen=True)
class WindowEnvelope:
    """A window envelope and the page folded into it."""

    name: Envelope
    paper: Paper
    size: tuple[float, float]  # width, height of the envelope
    window: Box  # on the envelope's face, y from its top edge
    folds: tuple[float, float]  # fold lines, mm from the top of the page

    @property
    def page(self) -> tuple[float, float]:
        return PAPER_SIZES[self.paper]

    def _shown(self, page_left: float, page_top: float) -> Box:
        """The window on the page when the top panel's corner is at (left, top) in the
        envelope."""
        w = self.window
        return Box(w.x - page_left, w.y - page_top, w.w, w.h)

    @property
    def play(self) -> tuple[float, float]:
        """How far the folded page can move, sideways and up and down."""
        return self.size[0] - self.page[0], self.size[1] - self.folds[0]

    @property
    def window_low(self) -> Box:
        return self._shown(0.0, self.play[1])

    @property
    def window_high(self) -> Box:
        return self._shown(self.play[0], 0.0)

    @property
    def always_shown(self) -> Box:
        low, high = self.window_low, self.window_high
        x, y = max(low.x, high.x), max(low.y, high.y)
        return Box(x, y, min(low.right, high.right) - x, min(low.bottom, high.bottom) - y)

    @property
    def safe(self) -> Box:
        return self.always_shown.inset(CLEARANCE)

    @property
    def address(self) -> Box:
        """Where the recipient's address goes: the safe area, from the left margin the page's
        text keeps (25 mm) when the window allows it."""
        safe = self.safe
        x = max(safe.x, 25.0)
        return Box(x, safe.y, safe.right - x, safe.h)

    @property
    def address_stretch_top(self) -> float:
        """How high an address too long for the safe area may reach: the low window's top."""
        return self.window_low.y + CLEARANCE

    @property
    def text_top(self) -> float:
        """Where the letter's text may start on the first page: below every window position."""
        return max(self.window_low.bottom, self.window_high.bottom) + 4.0


def _in(inches: float) -> float:
    return inches * MM_PER_IN


US10_SIZE = (_in(9.5), _in(4.125))
DL_SIZE = (220.0, 110.0)
WINDOW_ENVELOPES: dict[Envelope, WindowEnvelope] = {
    "us10": WindowEnvelope(
        "us10", "letter", US10_SIZE,
        Box(_in(7 / 8), US10_SIZE[1] - _in(0.5) - _in(1.125), _in(4.5), _in(1.125)),
        (PAPER_SIZES["letter"][1] / 3, 2 * PAPER_SIZES["letter"][1] / 3)),
    "dl": WindowEnvelope(
        "dl", "a4", DL_SIZE, Box(20.0, DL_SIZE[1] - 15.0 - 45.0, 90.0, 45.0), (105.0, 210.0)),
}


@dataclass(frozen=True)
class PlainEnvelope:
    """An envelope printed on, landscape: where the return and the recipient's address go.

    US #10: the recipient's address within the OCR read area (USPS Publication 25 and DMM 202:
    at least 1/2 in from the sides, the top line no higher than 2 3/4 in from the bottom, and
    the bottom 5/8 in left clear for the barcode), starting 4 in from the left, as word
    processors place it. DL: the right half, 40 mm below the top edge at least (stamp and
    franking zone) and 15 mm above the bottom edge (the coding zone of Deutsche Post, Canada Post
    and La Poste alike). The return address is top left on both, as Canada Post asks.
    """

    name: Envelope
    size: tuple[float, float]
    return_box: Box
    recipient_box: Box


PLAIN_ENVELOPES: dict[Envelope, PlainEnvelope] = {
    "us10": PlainEnvelope(
        "us10", US10_SIZE, Box(10.0, 10.0, 85.0, 24.0),
        Box(_in(4), US10_SIZE[1] - _in(2.75), US10_SIZE[0] - _in(4) - _in(0.5),
            _in(2.75) - _in(5 / 8) - 3.0)),
    "dl": PlainEnvelope(
        "dl", DL_SIZE, Box(10.0, 10.0, 85.0, 26.0),
        Box(100.0, 40.0, DL_SIZE[0] - 100.0 - 15.0, DL_SIZE[1] - 40.0 - 15.0 - 3.0)),
}


@dataclass(frozen=True)
class LabelSheet:
    """Labels in a grid. Pitch: from one label's edge to the next one's same edge."""

    name: Sheet
    paper: Paper
    columns: int
    rows: int
    label: tuple[float, float]  # width, height
    pitch: tuple[float, float]
    left: float
    top: float

    def box(self, index: int) -> Box:
        """The label at ``index`` on its sheet, row by row from the top left."""
        row, col = divmod(index % (self.columns * self.rows), self.columns)
        return Box(self.left + col * self.pitch[0], self.top + row * self.pitch[1], *self.label)

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


# Avery 5160 (and 8160, 5960...): Letter, 3 x 10 labels of 2 5/8 x 1 in, pitch 2 3/4 x 1 in,
# 1/2 in from the top and 3/16 in from the left (Avery's template; gLabels' avery-us-templates;
# armadsen's Avery dimensions table: margins 0.5 / 0.188 in, gutter 0.125 in).
# Avery L7160 (and J8160): A4, 3 x 7 labels of 63.5 x 38.1 mm, pitch 66.04 x 38.1 mm, 15.15 mm
# from the top; the sheet is centred sideways, (210 - 2 x 66.04 - 63.5) / 2 = 7.21 mm from the
# left (Avery UK's template says 7.21; other tables round it to 7.2 or 7.25, all within the
# sheet's own ±0.5 mm tolerance).
LABEL_SHEETS: dict[Sheet, LabelSheet] = {
    "avery5160": LabelSheet("avery5160", "letter", 3, 10, (_in(2.625), _in(1.0)),
                            (_in(2.75), _in(1.0)), _in(0.1875), _in(0.5)),
    "l7160": LabelSheet("l7160", "a4", 3, 7, (63.5, 38.1), (66.04, 38.1),
                        (210.0 - 2 * 66.04 - 63.5) / 2, 15.15),
}
