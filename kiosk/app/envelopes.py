"""Envelopes and address labels for the letters printed on one day (``letter-kiosk envelopes``;
docs/staff.md, "At the end of the day").

Which letters: by default those printed on the receipt printer only. A letter also printed on a
full page goes in a window envelope that shows its address already, so it needs no envelope
printed; ``everything=True`` includes them (a spoilt envelope, a full page kept as a copy).

The kind: the envelope that suits the campaign's paper (#10 with Letter, DL with A4), or a
sheet of labels. Letters come one recipient at a time in the campaign's order, so envelopes can
be stuffed in batches, as the export orders its pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pathlib import Path

    from kiosk.app.context import Context
    from kiosk.config import Campaign
    from kiosk.delivery.paper.geometry import Sheet
    from kiosk.export_targets import DriveFinder, ExportTarget
    from kiosk.store.db import Store
    from kiosk.store.printed_letters import PrintedLetter

Kind = Literal["us10", "dl", "avery5160", "l7160"]


@dataclass(frozen=True)
class Addresses:
    """One day's addresses, laid out."""

    pdf: bytes  # empty when there is no letter to address
    kind: Kind
    day: date
    letters: int  # addresses in the PDF
    left_for_windows: int  # printed on a full page too, so left out (without everything=True)

    @property
    def paper(self) -> Literal["letter", "a4", "envelope"]:
        """What the printer must hold: a sheet size for labels, else envelopes."""
        if self.kind == "avery5160":
            return "letter"
        if self.kind == "l7160":
            return "a4"
        return "envelope"

    @property
    def media(self) -> Literal["letter", "a4", "us10", "dl"]:
        """What to ask CUPS for (a key of kiosk.delivery.cups_link.MEDIA): the envelope itself,
        which most printers then take from their manual feed, or the label sheet's paper."""
        paper = self.paper
        if paper == "envelope":
            assert self.kind in ("us10", "dl")
            return "us10" if self.kind == "us10" else "dl"
        return paper

    @property
    def sheets(self) -> int:
        """What to load in the printer: one envelope a letter, or enough label sheets."""
        from kiosk.delivery.paper.geometry import LABEL_SHEETS

        if self.kind == "avery5160" or self.kind == "l7160":
            return -(-self.letters // LABEL_SHEETS[self.kind].per_sheet)
        return self.letters

    def file_name(self) -> str:
        """"envelopes-us10-2026-11-03.pdf", "labels-avery5160-2026-11-03.pdf"."""
        what = "labels" if self.paper != "envelope" else "envelopes"
        return f"{what}-{self.kind}-{self.day.isoformat()}.pdf"

    def counted(self) -> str:
        """The audit log's line: the kind, the day and how many, never an address."""
        return (f"{self.kind}, {self.letters} of {self.day.isoformat()}"
                f" ({self.left_for_windows} left for window envelopes)")


def local_day_bounds(day: date) -> tuple[str, str]:
    """The kiosk's local ``day`` as [start, end) UTC timestamps, comparable with the store's.
    Each midnight is taken in the offset it has then, so a day with a clock change still
    ends at the next local midnight."""
    def utc(midnight: datetime) -> str:
        return midnight.astimezone().astimezone(UTC).isoformat(timespec="milliseconds")

    start = datetime.combine(day, time(0))
    return utc(start), utc(start + timedelta(days=1))


def day_letters(campaign: Campaign, store: Store, day: date, *,
                everything: bool = False) -> tuple[list[PrintedLetter], int]:
    """The letters to address for ``day`` in the order to stuff them, and how many were left
    out because a full page of theirs printed (none when ``everything``)."""
    from kiosk.store.printed_letters import printed_between

    rows = printed_between(store, *local_day_bounds(day))
    keep = rows if everything else [r for r in rows if not r.full_page]
    order = {r.id: i for i, r in enumerate(campaign.recipients)}
    # A recipient since removed from the campaign file comes after the others, still addressed.
    keep.sort(key=lambda r: (order.get(r.recipient_id, len(order)), r.letter_id))
    return keep, len(rows) - len(keep)


def day_addresses(campaign: Campaign, store: Store, day: date, *, lang: str,
                  labels: Sheet | None = None, everything: bool = False) -> Addresses:
    """Envelopes (the campaign's paper's kind) or a sheet of ``labels`` for the letters printed
    on ``day``; ``lang`` picks the return address's language and the document's title. Raises
    FontMissing when the PDF font is not installed."""
    from kiosk.delivery.paper.envelopes import envelopes_pdf, labels_pdf
    from kiosk.i18n import tr

    letters, left_out = day_letters(campaign, store, day, everything=everything)
    settings = campaign.office_printer
    kind: Kind = labels or settings.envelope
    addresses = [list(r.address_lines) for r in letters]
    name = campaign.campaign.title.get(lang)
    if not addresses:
        pdf = b""
    elif labels is not None:
        pdf = labels_pdf(addresses, sheet=labels,
                         title=tr("paper.labels_title", lang, campaign=name))
    else:
        pdf = envelopes_pdf(addresses, envelope=settings.envelope,
                            return_address=settings.return_address.get(lang),
                            title=tr("paper.envelopes_title", lang, campaign=name))
    return Addresses(pdf, kind, day, len(addresses), left_out)


def document_title(campaign: Campaign, addresses: Addresses, lang: str) -> str:
    """The PDF's title, also the CUPS job's: "Envelopes: <campaign>"."""
    from kiosk.i18n import tr

    key = "paper.envelopes_title" if addresses.paper == "envelope" else "paper.labels_title"
    return tr(key, lang, campaign=campaign.campaign.title.get(lang))


def load_hint(addresses: Addresses, lang: str) -> str:
    """What staff put in the printer first: envelopes in its manual feed, or label sheets."""
    from kiosk.i18n import tr

    kind = tr(f"paper.kind_{addresses.kind}", lang)
    key = "paper.load_envelopes" if addresses.paper == "envelope" else "paper.load_labels"
    return tr(key, lang, n=addresses.sheets, kind=kind)


def print_addresses(campaign: Campaign, addresses: Addresses, *, title: str,
                    spool: Path) -> int:
    """Hand envelopes or a sheet of labels to the office printer, asking for their own media
    (an envelope size, or the sheet's paper whatever the letters are printed on); returns
    CUPS's job number. Raises CupsUnavailable or CupsRefused (kiosk.delivery.cups_link) with a
    plain message."""
    from kiosk.delivery.cups_link import print_pdf

    if not addresses.letters:
        raise ValueError("no addresses to print")
    return print_pdf(campaign.office_printer, addresses.pdf, title, spool=spool,
                     media=addresses.media)


class Envelopes:
    """The core's part for envelopes and labels (the staff panel's "Envelopes and labels").
    Printing and saving are written to the audit log with counts only: the addresses are
    recipients', but an audit line has no use for them."""

    def __init__(self, ctx: Context):
        self._ctx = ctx

    def count(self, day: date) -> tuple[int, int]:
        """How many letters printed on ``day`` want an envelope, and how many more printed on
        a full page too (in window envelopes already): a quick read, no PDF made."""
        letters, left_out = day_letters(self._ctx.campaign, self._ctx.store, day)
        return len(letters), left_out

    def addresses(self, day: date, *, lang: str, labels: Sheet | None = None,
                  everything: bool = False) -> Addresses:
        return day_addresses(self._ctx.campaign, self._ctx.store, day, lang=lang,
                             labels=labels, everything=everything)

    def print(self, addresses: Addresses, *, lang: str) -> int:
        """Send them to the office printer; returns CUPS's job number. A refusal or a CUPS
        that does not answer is recorded (its kind) and raised."""
        campaign = self._ctx.campaign
        try:
            job = print_addresses(campaign, addresses, spool=self._ctx.data_dir,
                                  title=document_title(campaign, addresses, lang))
        except Exception as e:
            self._ctx.audit("envelopes.print_failed",
                            f"{addresses.counted()}: {type(e).__name__}")
            raise
        self._ctx.audit("envelopes.print", f"{addresses.counted()}, CUPS job {job}")
        return job

    def save(self, addresses: Addresses, target: ExportTarget, folder: str,
             drives: DriveFinder) -> Path:
        """Write the PDF into the new ``folder`` on the ``target`` staff chose and confirmed,
        and nowhere else (the export's rules: kiosk.export_targets); returns the file."""
        from kiosk.export_targets import make_export_folder
        from kiosk.exports import write_together

        if not addresses.letters:
            raise ValueError("no addresses to save")
        where = target.describe("en")  # the audit log's language
        try:
            out = make_export_folder(target, folder, drives) / addresses.file_name()
            write_together({out: addresses.pdf})
        except Exception as e:
            # Its kind only: a message could quote a path on a visitor's stick.
            self._ctx.audit("envelopes.save_failed", f"to {where}: {type(e).__name__}")
            raise
        self._ctx.audit("envelopes.save", f"{addresses.counted()}, to {where}")
        return out
