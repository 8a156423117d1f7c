"""End-of-day exports for the organisers: counts, every letter as a PDF to post, and opt-ins.

``export_all`` writes three files into one folder (a USB stick, usually):

``counts.csv``   letters by recipient, channel and language, today and for the whole campaign
``letters.pdf``  one letter per page with the recipient's address where a #10 window envelope
                 shows it; postage-free letters first, then those needing a stamp, each group
                 after a cover page saying how many
``opt-ins.csv``  one row per visitor who agreed to hear from the organisers, with the consent
                 wording they saw and when (CASL asks for that record)

Privacy: a visitor who signed anonymously is never named, whatever their row holds (the name is
taken from the sign mode, never read for an anonymous letter); one who signed with a first name
shows only that; details removed by retention stay removed. Letters whose every delivery staff
cancelled (a rejected email, a cancelled print) are left out of the PDF: posting them would undo
the rejection.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The font and the cleaner are paper's; re-exported here, where callers and tests found them.
from kiosk.delivery.paper.fonts import (
    BOLD_FONT_FILE,
    FONT_DIRS,
    FONT_FILE,
    FontMissing,
    TextCleaner,
)
from kiosk.delivery.paper.fonts import codepoints as _codepoints
from kiosk.delivery.paper.fonts import find_font as _find_font
from kiosk.delivery.paper.geometry import PAPER_SIZES
from kiosk.delivery.paper.letter_pdf import LetterLayout, LetterPage, dateline
from kiosk.domain.letter import SignMode
from kiosk.i18n import tr

if TYPE_CHECKING:
    from fpdf import FPDF

    from kiosk.config import Campaign
    from kiosk.store.db import Store
    from kiosk.store.exports import OptIn, PostalLetter
    from kiosk.store.stats import Counts

COUNTS_CSV, LETTERS_PDF, OPT_INS_CSV = "counts.csv", "letters.pdf", "opt-ins.csv"
FILES = (COUNTS_CSV, LETTERS_PDF, OPT_INS_CSV)  # what one export writes
__all__ = ["BOLD_FONT_FILE", "FONT_DIRS", "FONT_FILE", "ExportError", "ExportResult",
           "TextCleaner", "export_all", "find_font", "write_export"]

MARGIN = 25.0  # the cover pages' margins
SMALLEST = 7.5  # a letter's body shrinks down to this to stay on its one page


class ExportError(Exception):
    """An export that cannot be made; the message says what to do."""


@dataclass(frozen=True)
class ExportResult:
    counts_csv: Path
    letters_pdf: Path
    opt_ins_csv: Path
    letters: int  # letters in the PDF
    postage_free: int
    needs_postage: int
    left_out: int  # letters staff cancelled every delivery of
    opt_ins: int
    pages: int
    chars_dropped: int  # emoji and invisible characters removed from the PDF
    chars_replaced: int  # characters drawn as a look-alike or as [...]
    not_recorded: str = ""  # why the export is not in the audit log (read-only or full store)

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return (self.counts_csv, self.letters_pdf, self.opt_ins_csv)


def find_font(lang: str = "en") -> tuple[Path, Path | None]:
    """DejaVu Sans (and its bold, if there), looked for in this module's FONT_DIRS; a missing
    font is an ExportError, raised before anything is read or written."""
    try:
        return _find_font(lang, FONT_DIRS)
    except FontMissing:
        places = ", ".join(str(d) for d in FONT_DIRS)
        raise ExportError(tr("exports.font_missing", lang, places=places)) from None


# --- reading the store ---------------------------------------------------------------------------


def signed_name(row: PostalLetter | OptIn) -> str:
    """The name as the visitor signed: none for anonymous, the first name for first-name-only."""
    return row.signer.name()


def _signature_lines(row: PostalLetter) -> list[str]:
    signer = row.signer
    if signer.mode is SignMode.ANONYMOUS:
        # Rebuilt rather than read, so a name can never reach the page for an anonymous letter.
        return signer.signature_lines(row.language)
    return row.signature.split("\n")


def opt_in_rows(opt_ins: list[OptIn]) -> list[dict[str, str]]:
    """One row per visitor who opted in (their first letter), unless retention purged them."""
    return [
        {
            "name": _spreadsheet_safe(signed_name(r)),
            "email": _spreadsheet_safe(r.email),
            "language": r.language,
            "consent_wording": r.opt_in_wording or "",
            "consent_given_at": _utc(r.opt_in_at or r.created_at),
        }
        for r in opt_ins
    ]


def _utc(text: str) -> str:
    dt = datetime.fromisoformat(text)
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


def _spreadsheet_safe(value: str) -> str:
    # Visitor-typed text opened in a spreadsheet: "=..." would run as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def count_rows(campaign: Campaign, today: Counts, everything: Counts) -> list[list[Any]]:
    out: list[list[Any]] = []
    for scope, c in (("today", today), ("campaign", everything)):
        out += [[scope, "total", "letters", c.letters], [scope, "total", "visitors", c.visitors]]
        # Every recipient and language of the campaign, even at zero, then any stored others.
        recipients = dict.fromkeys((r.id for r in campaign.recipients), 0) | c.by_recipient
        languages = dict.fromkeys(campaign.languages, 0) | c.by_language
        for dimension, values in (("recipient", recipients), ("channel", c.by_channel),
                                  ("language", languages)):
            out += [[scope, dimension, key, n] for key, n in values.items()]
    return out


# --- writing -------------------------------------------------------------------------------------


def write_together(files: dict[Path, bytes]) -> None:
    """Write every file or none: owner-only, never half-written under its final name.

    Each goes to a hidden temporary file first; only when all of them are complete on the disk
    do they take their names. A full disk or a pulled stick leaves the folder as it was (an
    earlier export stays whole) and no temporary file behind.
    """
    done: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            tmp = path.with_name(f".{path.name}.tmp")
            done.append((tmp, path))
            fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
    except BaseException:
        for tmp, _ in done:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
        raise
    for tmp, path in done:
        os.replace(tmp, path)


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    import io

    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    # The BOM makes Excel read the accents as UTF-8.
    return buf.getvalue().encode("utf-8-sig")


def letter_date(created_at: str, lang: str) -> str:
    """The date written on the letter, in its language, on the kiosk's local calendar."""
    return dateline(datetime.fromisoformat(created_at), lang)


@dataclass
class _Pdf:
    pdf: FPDF
    clean: TextCleaner
    bold: str  # "B", or "" when the bold face is not installed
    layout: LetterLayout

    def block(self, x: float, y: float, width: float, size: float, text: str) -> None:
        self.pdf.set_font("dejavu", "", size)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(width, size * 0.3528 * 1.3, text=text, align="L")

    def cover(self, title: str, hint: str, lines: list[str], exported: str) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_font("dejavu", self.bold, 20)
        pdf.set_xy(MARGIN, 60)
        pdf.multi_cell(pdf.w - 2 * MARGIN, 10, text=title, align="L")
        self.block(MARGIN, pdf.get_y() + 6, pdf.w - 2 * MARGIN, 12,
                   "\n".join([hint, "", *lines, "", exported]))

    def letter(self, row: PostalLetter) -> None:
        self.layout.draw(LetterPage(
            language=row.language, dateline=letter_date(row.created_at, row.language),
            address_lines=row.address_lines, salutation=row.salutation, body=row.body,
            closing=row.closing, signature_lines=tuple(_signature_lines(row)),
            # Never for an anonymous letter, whatever the store holds (as for the name).
            drawing=row.drawing if row.signer.mode is not SignMode.ANONYMOUS else None,
            postage_free=row.postage_free))


def letters_pdf(campaign: Campaign, rows: list[PostalLetter], lang: str, now: datetime,
                font: Path, bold: Path | None) -> tuple[bytes, int, TextCleaner, Counter[bool]]:
    """The PDF, its page count, what was changed to draw it, and letters per postage group."""
    from kiosk.delivery.paper.fonts import Typeface, start_pdf

    # The campaign's paper: the office printer's, whose envelopes the letters go in.
    paper = campaign.office_printer.paper
    pdf = start_pdf(Typeface(font, bold), PAPER_SIZES[paper], created=now,
                    title=tr("exports.pdf_title", lang, campaign=campaign.campaign.title.get(lang)))
    clean = TextCleaner(_codepoints(font))
    # One letter to a page, shrunk if it must be: staff post what the export holds, and a
    # letter's pages could be separated in a pile. No room to sign: the visitor has gone.
    layout = LetterLayout(pdf, clean, paper, smallest=SMALLEST, pen_space=4.0)
    out = _Pdf(pdf, clean, "B" if bold else "", layout)

    order = {r.id: i for i, r in enumerate(campaign.recipients)}
    # A recipient since removed from the campaign file is shown by id, after the others.
    names = {r.id: r.name.get(lang) for r in campaign.recipients}
    # One recipient at a time within each postage group, so envelopes can be done in batches.
    rows = sorted(rows, key=lambda r: (order.get(r.recipient_id, len(order)), r.id))
    groups: Counter[bool] = Counter(r.postage_free for r in rows)
    exported = tr("exports.exported_at", lang,
                  when=now.astimezone().strftime("%Y-%m-%d %H:%M"))
    for free in (True, False):  # postage-free first: those can go in the mail today
        group = [r for r in rows if r.postage_free == free]
        if not group:
            continue
        per = Counter(r.recipient_id for r in group)
        lines = [tr("exports.cover_line", lang, n=n, recipient=names.get(rid, rid))
                 for rid, n in per.items()]
        key = "postage_free" if free else "needs_postage"
        out.cover(tr(f"exports.cover_{key}", lang, n=len(group)),
                  tr(f"exports.cover_{key}_hint", lang), [out.clean(x) for x in lines], exported)
        for r in group:
            out.letter(r)
    if not rows:
        out.cover(tr("exports.no_letters", lang), "", [], exported)
    return bytes(pdf.output()), pdf.page, out.clean, groups


def export_all(campaign: Campaign, store: Store, out_dir: Path, *, now: datetime | None = None,
               lang: str | None = None, actor: str = "staff",
               target: str | None = None) -> ExportResult:
    """Write counts.csv, letters.pdf and opt-ins.csv into ``out_dir`` (created if needed).

    ``store``: the kiosk's store; a store on a read-only disk (``open_store(..., reading=True)``)
    can still be exported: that is how its letters get out. ``lang`` is the staff's language for
    the cover pages (default: the campaign's). The export is written to the audit log as done by
    ``actor``, to ``target`` (the drive staff chose, as "KINGSTON (16 GB)"; default:
    ``out_dir``). Raises ExportError when the PDF font is missing, before any file is written.
    """
    from kiosk.store import StorageError
    from kiosk.store.refusals import read_only_reason, storage_refusals

    now = now or datetime.now(UTC)
    lang = lang or campaign.campaign.default_language
    find_font(lang)  # before anything is read or written
    data_dir = store.data_dir
    with storage_refusals(data_dir, lang, os_errors=False):
        data = gather(store, now)
    result = write_export(campaign, data, Path(out_dir), lang=lang, now=now)
    # Numbers and the folder only: never a name or an address.
    detail = (f"letters {result.letters}, opt-ins {result.opt_ins}, left out {result.left_out}, "
              f"to {target or out_dir}")
    # The files are written and whole: a record that cannot be kept is said, not fatal.
    if store.read_only:
        why = tr(f"storage.reason.{read_only_reason(data_dir)}", lang)
        result = replace(result, not_recorded=why)
    else:
        try:
            with storage_refusals(data_dir, lang):
                store.audit(actor, "export", detail)
        except StorageError as e:
            result = replace(result, not_recorded=e.message)
    return result


@dataclass(frozen=True)
class ExportData:
    """What one export holds, read at one moment: from a kiosk's store, or from the event's
    hub (``kiosk.store.hub.exports``)."""

    today: Counts
    everything: Counts
    letters: list[PostalLetter]
    left_out: int  # letters staff cancelled every delivery of
    opt_ins: list[OptIn]
    more_counts: list[list[Any]] = field(default_factory=list)  # e.g. letters not at the hub


def gather(store: Store, now: datetime) -> ExportData:
    """A kiosk's letters and counts, in one read transaction: the three files describe the same
    moment, even while the kiosk keeps taking letters."""
    from kiosk.store.exports import opt_ins, postable_letters, snapshot
    from kiosk.store.stats import counts, local_day_start_utc

    with snapshot(store):
        rows, left_out = postable_letters(store)
        return ExportData(counts(store, local_day_start_utc(now)), counts(store), rows, left_out,
                          opt_ins(store))


def write_export(campaign: Campaign, data: ExportData, out_dir: Path, *, lang: str,
                 now: datetime) -> ExportResult:
    """Write counts.csv, letters.pdf and opt-ins.csv into ``out_dir``, all three or none."""
    font, bold = find_font(lang)
    counts = count_rows(campaign, data.today, data.everything) + data.more_counts
    opt_ins = opt_in_rows(data.opt_ins)
    pdf, pages, clean, groups = letters_pdf(campaign, data.letters, lang, now, font, bold)
    result = ExportResult(
        counts_csv=out_dir / COUNTS_CSV, letters_pdf=out_dir / LETTERS_PDF,
        opt_ins_csv=out_dir / OPT_INS_CSV, letters=len(data.letters), postage_free=groups[True],
        needs_postage=groups[False], left_out=data.left_out, opt_ins=len(opt_ins),
        pages=pages, chars_dropped=clean.dropped, chars_replaced=clean.replaced,
    )
    header = ["name", "email", "language", "consent_wording", "consent_given_at"]
    out_dir.mkdir(parents=True, exist_ok=True)
    write_together({
        result.counts_csv: _csv_bytes(["scope", "dimension", "key", "count"], counts),
        result.letters_pdf: pdf,
        result.opt_ins_csv: _csv_bytes(header, [[r[k] for k in header] for r in opt_ins]),
    })
    return result
