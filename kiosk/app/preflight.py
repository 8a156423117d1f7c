"""Checks of a campaign that need more than the campaign file, run before the doors open by
``check-config`` and ``run`` (every command loads its campaign through ``load_campaign`` here):
its templates render in every language, its donation link makes a QR code that fits the
printer's paper, and the warnings that depend on them.

``kiosk.config`` checks the file's shape and single fields only: it may not import the
templates or the printer code above it (docs/architecture.md), so these checks live here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import ConfigError
from kiosk.config.loading import read_campaign_problems
from kiosk.i18n import english_name

if TYPE_CHECKING:
    from kiosk.config import Campaign, PrinterSettings


def load_campaign(path: str | Path) -> Campaign:
    """Read and validate a campaign file; raise ConfigError listing every problem found.

    Besides the models' checks, this dry-renders every template in every language, makes the
    donation QR code, and checks that the printer's connection can be opened from here."""
    campaign, problems = read_campaign_problems(path)
    problems += template_problems(campaign) + qr_code_problems(campaign)
    problems += campaign.printer.missing_packages() + hub_problems(campaign)
    if problems:
        raise ConfigError(campaign.source or Path(path), problems)
    return campaign


def hub_problems(campaign: Campaign) -> list[str]:
    """A campaign with a hub needs psycopg, the PostgreSQL driver (the ``hub`` extra)."""
    import importlib.util

    if campaign.hub.enabled and importlib.util.find_spec("psycopg") is None:
        return ['hub.enabled: the hub needs the psycopg package, which is not installed here; '
                'install it with: .venv/bin/pip install "letter-kiosk[hub]" (or: pip install '
                '"psycopg[binary]"), then check again']
    return []


def campaign_warnings(campaign: Campaign) -> list[str]:
    """Things that work but an organiser should fix before the doors open (check-config)."""
    return (campaign.donation_warnings() + _dense_qr_code(campaign) + staff_warnings(campaign)
            + _long_starting_texts(campaign) + campaign.email_warnings()
            + office_printer_warnings(campaign))


def office_printer_warnings(campaign: Campaign) -> list[str]:
    """With an office printer: every address shows in the envelope's window, and this
    computer's CUPS has the queue and takes letters. Asked of CUPS here, where check-config
    runs: on the kiosk itself it is the check before the doors open."""
    office = campaign.office_printer
    if not office.enabled:
        return []
    from kiosk.delivery import cups_link
    from kiosk.delivery.paper.fonts import FontMissing
    from kiosk.delivery.paper.letter_pdf import address_overflows

    out: list[str] = []
    places = [(f"recipients[{i}].address.{lang}", r.address.get(lang))
              for i, r in enumerate(campaign.recipients) for lang in campaign.languages]
    envelope = "a #10" if office.envelope == "us10" else "a DL"
    try:
        hidden = address_overflows([lines for _key, lines in places], office.paper)
    except FontMissing as e:
        hidden, out = [], [f"office_printer: {e}"]
    for (key, _lines), mm in zip(places, hidden, strict=False):
        if mm > 0.5:
            out.append(f"{key}: too long for {envelope} window envelope: its last "
                       f"{mm:.0f} mm would be hidden; shorten it (fewer or shorter lines)")
    try:
        queue = cups_link.queue_state(office)
    except (cups_link.CupsUnavailable, cups_link.CupsRefused) as e:
        return [*out, f"office_printer: {e}; full letters will wait until CUPS answers"]
    if not queue.exists:
        out.append(f'office_printer.queue: {cups_link.where(office)} has no queue named '
                   f'"{office.queue}"; add the printer (docs/printing.md) or correct the name')
    elif not queue.accepting:
        out.append(f'office_printer.queue: "{office.queue}" is not accepting jobs '
                   f"({queue.message or 'rejecting'}); run: cupsaccept {office.queue}")
    elif queue.stopped:
        out.append(f'office_printer.queue: "{office.queue}" is stopped '
                   f"({queue.message or 'stopped'}); run: cupsenable {office.queue}")
    return out


def staff_warnings(campaign: Campaign) -> list[str]:
    """No PIN, or the sample's: checked here, not by the models, because it takes an Argon2
    check (a tenth of a second) that every command would otherwise pay."""
    if not campaign.staff.pin_hash:
        return ["staff.pin_hash: not set, so nobody can open the staff panel; "
                "make one with `python -m kiosk hash-pin`"]
    from kiosk.pin_rules import SAMPLE_PIN, verify_pin

    if verify_pin(campaign.staff.pin_hash, SAMPLE_PIN):
        return [f"staff.pin_hash: still the sample PIN ({SAMPLE_PIN}); "
                "make your own with `python -m kiosk hash-pin`"]
    return []


def template_problems(c: Campaign) -> list[str]:
    from kiosk.compose import template_problems

    try:
        is_dir = c.templates_path.is_dir()
    except OSError as e:
        return [f"campaign.templates_dir: cannot be used: {e.strerror or e}"]
    if not is_dir:
        return [
            f"campaign.templates_dir: no folder {c.templates_path} (the path is relative to "
            "the campaign file); it must hold letters/<language>/<template>.txt.j2",
        ]
    return template_problems(c)


def qr_code_problems(c: Campaign) -> list[str]:
    """The thank-you screen always shows the donation QR code; receipts print it too unless
    ``printer.print_qr = false``. A link no QR code can hold would fail for every visitor."""
    from kiosk.delivery.qr import qr_problem

    if (problem := qr_problem(c.donation.url)) is not None:
        return [f"donation.url: {problem}"]
    return qr_problems(c.printer, c.donation.url)


def qr_problems(printer: PrinterSettings, content: str) -> list[str]:
    """Why the donation QR would not fit this printer's paper (empty if it fits)."""
    if not (printer.enabled and printer.print_qr) or not content:
        return []
    from kiosk.delivery.receipt import ReceiptFormat, qr_width_dots

    dots = ReceiptFormat.from_settings(printer).dots
    width = qr_width_dots(content, printer.qr_size, printer.qr_native)
    if width <= dots:
        return []
    best = max((s for s in range(1, 17) if qr_width_dots(content, s, printer.qr_native) <= dots),
               default=None)
    hint = f"use qr_size = {best} or less" if best else "shorten the donation URL"
    return [
        f"printer.qr_size: the donation QR code would be {width} dots wide but "
        f"{printer.paper_width_mm} mm paper prints {dots}; {hint}, or set print_qr = false"
    ]


def _dense_qr_code(c: Campaign) -> list[str]:
    from kiosk.delivery.qr import EASY_TO_SCAN_MODULES, qr_modules_across

    if qr_modules_across(c.donation.url) > EASY_TO_SCAN_MODULES:
        return [
            f"donation.url: {len(c.donation.url)} characters long, so its QR code is "
            "dense and hard to scan from the screen; use a shorter link (a link shortener "
            "or a short page on your own site)"
        ]
    return []


def _long_starting_texts(c: Campaign) -> list[str]:
    from kiosk.compose import TemplateProblem, starting_text
    from kiosk.domain.text_rules import body_length

    out = []
    limit = c.session.body_max_chars
    for i, t in enumerate(c.starting_texts):
        for lang in c.languages:
            try:
                n = body_length(starting_text(c, t.id, lang))
            except TemplateProblem:
                continue  # load_campaign has refused it already
            if n > limit:
                out.append(
                    f"starting_texts[{i}].template: the {english_name(lang)} text is "
                    f"{n:,} characters, more than session.body_max_chars ({limit:,}); a "
                    "visitor who picks it must shorten it before going on")
    return out
