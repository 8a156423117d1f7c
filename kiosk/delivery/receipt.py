"""The printed letter: one layout, shown on the review screen and sent to the printer.

``build_receipt`` makes the list of lines once: text already substituted for the printer's code
page and wrapped to the profile's columns. The review page draws those lines in a monospace box;
``render_escpos`` sends the very same lines to python-escpos. What the visitor approves is what
prints, down to "oe" for "œ" on a printer whose code page has no œ.

No Qt here, and python-escpos is imported only when bytes are actually made.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from kiosk.config.printer_profiles import PAPER_COLUMNS, PAPER_DOTS, profile_info
from kiosk.delivery.codepage import CodePage, finish, protect_spaces
from kiosk.domain.drawing import FRAME_HEIGHT, FRAME_WIDTH, looks_like_drawing
from kiosk.i18n import long_date, tr

if TYPE_CHECKING:
    from kiosk.config import Campaign, PrinterSettings
    from kiosk.domain.letter import Letter

Style = Literal["title", "bold", "normal", "small", "qr", "cut", "drawing"]
Align = Literal["left", "center"]

QR_BORDER = 1  # modules of quiet zone python-escpos draws around an image QR code
# A grey level darker than this prints black: thin strokes, scaled down for 58 mm paper and
# antialiased grey at their edges, stay whole instead of breaking into dots.
INK_THRESHOLD = 192

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreviewLine:
    """One printed line. ``width`` is how many character cells span the paper in this line's
    font, so the preview can size its font to match the paper exactly. For ``qr`` the text is
    the encoded link; ``cut`` marks the end of the receipt (text empty); ``drawing`` is the
    visitor's drawn signature, ``image`` its PNG, and the text what a screen reader says of it
    on the review page (it is not printed)."""

    text: str
    style: Style = "normal"
    align: Align = "left"
    width: int = 42
    image: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ReceiptFormat:
    """Everything about the printer that shapes the receipt, worked out once from settings."""

    profile: str
    columns: int
    small_columns: int  # font B, where the profile has one
    has_font_b: bool
    dots: int  # printable width in dots
    codepage: CodePage
    cut: bool
    print_qr: bool
    qr_size: int
    qr_native: bool

    @classmethod
    def from_settings(cls, s: PrinterSettings) -> ReceiptFormat:
        return _format_for(s)


@lru_cache(maxsize=8)
def _format_for(s: PrinterSettings) -> ReceiptFormat:
    info = profile_info(s.profile)
    a, b = PAPER_COLUMNS[s.paper_width_mm]
    if info.width_mm is not None and info.font_columns:
        # The profile knows its head: trust its columns (e.g. 48 on 576-dot 80 mm printers).
        a = info.font_columns.get(0, a)
        b = info.font_columns.get(1, a)
    has_b = 1 in info.font_columns
    if s.columns:
        a, b = s.columns, round(s.columns * 4 / 3) if has_b else s.columns
    return ReceiptFormat(
        profile=s.profile,
        columns=a,
        small_columns=b if has_b else a,
        has_font_b=has_b,
        dots=info.width_dots or PAPER_DOTS[s.paper_width_mm],
        codepage=CodePage.for_printer(s.profile, s.codepage, s.codepage_table),
        cut=s.cut,
        print_qr=s.print_qr,
        qr_size=s.qr_size,
        qr_native=s.qr_native,
    )


# --- layout ---------------------------------------------------------------------------------------


def wrap(paragraph: str, width: int) -> list[str]:
    """Greedy word wrap on plain spaces. A word never splits unless it alone is longer than a
    line; then it starts on a fresh line and is cut into line-sized pieces. No-break spaces
    (see ``protect_spaces``) hold words together."""
    paragraph = paragraph.rstrip()
    if len(paragraph) <= width:
        return [paragraph]  # as typed: keeps the two spaces before a Canadian postal code
    lines: list[str] = []
    cur = ""
    for word in paragraph.split(" "):
        if not word:
            continue
        if len(word) > width:
            if cur:
                lines.append(cur)
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            lines.extend(pieces[:-1])
            cur = pieces[-1]
        elif not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur = f"{cur} {word}"
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines or [""]


def format_date(when: datetime, lang: str) -> str:
    return long_date(when, lang)


def build_receipt(
    letter: Letter, campaign: Campaign, when: datetime, fmt: ReceiptFormat | None = None
) -> list[PreviewLine]:
    fmt = fmt or ReceiptFormat.from_settings(campaign.printer)
    lang = letter.language
    lines: list[PreviewLine] = []

    def add(text: str, style: Style = "normal", align: Align = "left") -> None:
        width = fmt.small_columns if style == "small" else fmt.columns
        printable = fmt.codepage.substitute(protect_spaces(text))
        for para in printable.split("\n"):
            for line in wrap(para, width):
                lines.append(PreviewLine(finish(line), style, align, width))

    def blank() -> None:
        lines.append(PreviewLine("", "normal", "left", fmt.columns))

    def rule() -> None:
        lines.append(PreviewLine("-" * fmt.columns, "normal", "left", fmt.columns))

    add(campaign.campaign.title.get(lang), "title", "center")
    add(format_date(when, lang), "normal", "center")
    rule()
    for address_line in letter.address_lines:
        add(address_line, "bold")
    postage = "no_postage" if letter.postage_free else "postage_needed"
    add(tr(f"printing.receipt.{postage}", lang), "small")
    rule()
    blank()
    add(letter.salutation)
    blank()
    add(letter.body)
    blank()
    add(letter.closing)
    drawing = letter.signer.drawing
    if looks_like_drawing(drawing):
        # Above the typed name, as a hand signs above a printed one.
        lines.append(PreviewLine(tr("drawing.on_letter", lang), "drawing", "left", fmt.columns,
                                 drawing))
    for sig in letter.signature_lines:
        add(sig, "bold")
    if fmt.print_qr and campaign.donation.url:
        blank()
        rule()
        lines.append(PreviewLine(campaign.donation.url, "qr", "center", fmt.columns))
        add(campaign.donation.caption.get(lang), "small", "center")
    footer = campaign.printer.footer.get(lang)
    if footer:
        blank()
        add(footer, "small", "center")
    lines.append(PreviewLine("", "cut", "left", fmt.columns))
    return lines


def preview_lines(letter: Letter, campaign: Campaign, when: datetime) -> list[PreviewLine]:
    """The receipt as the review page should draw it: exactly what the printer will print."""
    return build_receipt(letter, campaign, when)


def sample_letter(campaign: Campaign, lang: str) -> Letter:
    """A letter for the test page: every French accent, so the code page can be checked."""
    from kiosk.domain.letter import Signer, make_letter

    body = tr("printing.test.body", lang)
    signer = Signer(first_name=tr("printing.test.signer", lang))
    return make_letter(campaign, campaign.recipients[0].id, lang, body, signer)


# --- QR size ------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def qr_modules(content: str) -> int:
    """Modules across the QR code python-escpos will draw for ``content`` (error level M)."""
    import qrcode

    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(content)
    code.make(fit=True)
    return int(code.modules_count)


def qr_width_dots(content: str, size: int, native: bool = False) -> int:
    border = 0 if native else 2 * QR_BORDER
    return (qr_modules(content) + border) * size


def fitting_qr_size(content: str, fmt: ReceiptFormat) -> int:
    """The configured module size, or smaller if it would not fit (check-config warns first);
    an ImageWidthError at print time would otherwise block the queue forever."""
    size = fmt.qr_size
    while size > 1 and qr_width_dots(content, size, fmt.qr_native) > fmt.dots:
        size -= 1
    return size


# --- ESC/POS ----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def escpos_profile(fmt: ReceiptFormat) -> Any:
    """The python-escpos profile, told our paper width and columns when it does not know them
    (so image width is checked and centred, and ``image()`` does not print warnings to stdout).
    Made once per format and shared: python-escpos only reads it."""
    from kiosk.delivery.printer import import_escpos

    capabilities = import_escpos("escpos.capabilities")
    profile = capabilities.get_profile(fmt.profile)
    data = copy.deepcopy(profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = fmt.dots
    fonts = data.setdefault("fonts", {})
    fonts.setdefault("0", {})["columns"] = fmt.columns
    if fmt.has_font_b:
        fonts.setdefault("1", {})["columns"] = fmt.small_columns
    profile.profile_data = data
    return profile


def render_escpos(lines: list[PreviewLine], fmt: ReceiptFormat, printer: Any) -> None:
    """Draw ``lines`` on a python-escpos printer object."""
    constants = _constants()
    printer._raw(constants.HW_INIT)
    # ESC @ resets the code page: lock ours right after it, and keep MagicEncode from switching.
    printer._raw(constants.CODEPAGE_CHANGE + bytes([fmt.codepage.table]))
    printer.magic.encoding = fmt.codepage.name
    printer.magic.disabled = True
    for line in lines:
        if line.style == "cut":
            if fmt.cut:
                printer.cut()  # feeds first; on a profile without a cutter it only feeds
            else:
                printer.print_and_feed(6)
            continue
        if line.style == "qr":
            _qr(printer, line.text, fmt, constants)
            continue
        if line.style == "drawing":
            _drawing(printer, line.image, fmt)
            continue
        if line.style == "title":
            printer.set(align="center", bold=True, double_height=True)
        else:
            printer.set(align=line.align, bold=line.style == "bold")
        if line.style == "small" and fmt.has_font_b:
            printer.set(font="b")
        printer._raw(fmt.codepage.encode(line.text) + b"\n")
        if line.style == "title":
            printer.set(normal_textsize=True)
        if line.style == "small" and fmt.has_font_b:
            printer.set(font="a")
    printer.set(align="left", bold=False)


def _qr(printer: Any, url: str, fmt: ReceiptFormat, constants: Any) -> None:
    # The donation link is the same on every receipt: its bytes are made once per link and
    # format. Making them (QR mask scoring, then a raster image) is most of a receipt's cost.
    printer._raw(_qr_bytes(url, fmt))


@lru_cache(maxsize=8)
def _qr_bytes(url: str, fmt: ReceiptFormat) -> bytes:
    from kiosk.delivery.printer import import_escpos

    dummy = import_escpos("escpos.printer").Dummy()
    dummy.profile = escpos_profile(fmt)
    # In the state render_escpos leaves a printer in: our code page locked, MagicEncode off.
    dummy.magic.encoding = fmt.codepage.name
    dummy.magic.disabled = True
    _draw_qr(dummy, url, fmt, _constants())
    return bytes(dummy.output)


def _draw_qr(printer: Any, url: str, fmt: ReceiptFormat, constants: Any) -> None:
    size = fitting_qr_size(url, fmt)
    if fmt.qr_native:
        printer.set(align="center")
        printer.qr(url, ec=constants.QR_ECLEVEL_M, size=size, native=True)
        printer._raw(b"\n")
        printer.set(align="left")
    else:
        printer.qr(url, ec=constants.QR_ECLEVEL_M, size=size, native=False, center=True)


def drawing_image(png: bytes | None, dots: int) -> Any:
    """The drawn signature as python-escpos prints it: a black-and-white PIL image, the
    drawing's frame width scaled to ``dots`` (the paper's printable width). None when ``png``
    is not a drawing that can be read: the typed name below it is the signature anyway, and a
    receipt that cannot be made would hold the whole queue."""
    if png is None or not looks_like_drawing(png):
        return None
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as source:
            source.load()
            grey = source.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        log.warning("a drawn signature could not be read (%s); printed without it", e)
        return None
    paper = Image.new("RGBA", grey.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(paper, grey).convert("L")
    flat.thumbnail((FRAME_WIDTH, FRAME_HEIGHT))  # never larger than the pad makes
    scale = dots / FRAME_WIDTH
    size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
    scaled = flat.resize(size, Image.Resampling.LANCZOS)
    return scaled.point(lambda v: 0 if v < INK_THRESHOLD else 255, mode="1")


def _drawing(printer: Any, png: bytes | None, fmt: ReceiptFormat) -> None:
    image = drawing_image(png, fmt.dots)
    if image is not None:
        # Raster, as the QR code: the one image command every ESC/POS printer here knows.
        printer.image(image, impl="bitImageRaster", center=False)


def receipt_bytes(lines: list[PreviewLine], fmt: ReceiptFormat) -> bytes:
    """The whole job as bytes, made before anything is sent, so a job goes out in one piece."""
    from kiosk.delivery.printer import import_escpos

    dummy = import_escpos("escpos.printer").Dummy()
    dummy.profile = escpos_profile(fmt)
    render_escpos(lines, fmt, dummy)
    return bytes(dummy.output)


def letter_bytes(letter: Letter, campaign: Campaign, when: datetime) -> bytes:
    fmt = ReceiptFormat.from_settings(campaign.printer)
    return receipt_bytes(build_receipt(letter, campaign, when, fmt), fmt)


def _constants() -> Any:
    from kiosk.delivery.printer import import_escpos

    return import_escpos("escpos.constants")
