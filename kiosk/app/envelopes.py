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

    from kiosk.config import Campaign
    from kiosk.delivery.paper.geometry import Sheet
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


def print_addresses(campaign: Campaign, addresses: Addresses, *, title: str,
                    spool: Path) -> int:
    """Hand a sheet of labels to the office printer; returns CUPS's job number. Raises
    CupsUnavailable or CupsRefused (kiosk.delivery.cups_link) with a plain message."""
    from kiosk.delivery.cups_link import print_pdf

    return print_pdf(campaign.office_printer, addresses.pdf, title, spool=spool)
