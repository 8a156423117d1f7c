"""A drawn signature after the Sign step: printed on the receipt above the name, kept beside
its letter only as long as the letter's personal details, carried by salvage, and never sent
anywhere else (no email, no hub)."""

from __future__ import annotations

import dataclasses
import io
import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image, ImageDraw

from kiosk.app.letters import keep_letters
from kiosk.config import EmailSettings
from kiosk.delivery.message import build_message
from kiosk.delivery.receipt import ReceiptFormat, build_receipt, receipt_bytes
from kiosk.domain.drawing import FRAME_WIDTH
from kiosk.domain.journey import Delivery, Journey
from kiosk.domain.letter import Signer, make_letter
from kiosk.store import Store, print_jobs, uploads
from kiosk.store import outbox as q
from kiosk.store.retention import purge_personal_details
from kiosk.store.salvage import salvage
from tests.support.campaigns import printer_campaign
from tests.support.peers.escpos_printer import decode, next_command
from tests.support.stores import DB, overwrite_pages, pages_of

WHEN = datetime(2025, 3, 1, 14, 30)


def signature_png(seed: int = 1, size: tuple[int, int] = (300, 80)) -> bytes:
    """A scribble in black on white, as the pad makes them: grey PNG, cropped."""
    rng = random.Random(seed)
    img = Image.new("L", size, 255)
    pen = ImageDraw.Draw(img)
    points = [(rng.randrange(size[0]), rng.randrange(size[1])) for _ in range(12)]
    pen.line(points, fill=0, width=4)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def letter(campaign, drawing: bytes | None, lang: str = "fr"):
    return make_letter(campaign, "pm", lang, "Protégez ces hommes, maintenant.",
                       Signer(first_name="Zoë", last_name="Çelik", drawing=drawing))


def rasters(data: bytes) -> list[tuple[int, int]]:
    """(width in dots, height) of every raster image (GS v 0) in an ESC/POS job."""
    out, i = [], 0
    while i < len(data):
        n = next_command(data, i)
        assert n is not None
        if data[i:i + 2] == b"\x1dv":
            out.append(((data[i + 4] + 256 * data[i + 5]) * 8, data[i + 6] + 256 * data[i + 7]))
        i += n
    return out


# --- the receipt ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "dots"), [(80, 512), (58, 384)])
def test_the_receipt_prints_the_drawing_above_the_name_only_when_there_is_one(
        campaign, paper, dots):
    c = printer_campaign(campaign, paper_width_mm=paper, print_qr=False, codepage="CP1252")
    fmt = ReceiptFormat.from_settings(c.printer)
    assert fmt.dots == dots
    drawing = signature_png(size=(300, 80))
    with_it = build_receipt(letter(c, drawing), c, WHEN, fmt)
    without = build_receipt(letter(c, None), c, WHEN, fmt)
    styles = [line.style for line in with_it]
    names = [line.text for line in with_it]
    assert styles.count("drawing") == 1 and "drawing" not in [x.style for x in without]
    assert styles.index("drawing") + 1 == names.index("Zoë Çelik"), "right above the name"
    assert with_it[styles.index("drawing")].image == drawing

    printed, plain = receipt_bytes(with_it, fmt), receipt_bytes(without, fmt)
    (receipt,), (bare,) = decode(printed), decode(plain)
    assert (receipt.images, bare.images) == (1, 0)
    assert [x.text for x in receipt.lines] == [x.text for x in bare.lines], "no text added"
    # Scaled as the pad drew it: the frame's width is the paper's printable width.
    [(width, height)] = rasters(printed)
    assert width == pytest.approx(300 * dots / FRAME_WIDTH, abs=8) and width <= dots
    assert height == round(80 * dots / FRAME_WIDTH)
    assert rasters(plain) == []


def test_the_drawing_prints_in_black_and_white_with_the_qr_code_too(campaign):
    c = printer_campaign(campaign, print_qr=True)
    fmt = ReceiptFormat.from_settings(c.printer)
    (receipt,) = decode(receipt_bytes(build_receipt(letter(c, signature_png()), c, WHEN, fmt),
                                      fmt))
    assert receipt.images == 2 and receipt.qr == [c.donation.url] and receipt.cut


def test_a_drawing_that_cannot_be_read_prints_the_letter_without_it(campaign):
    c = printer_campaign(campaign, print_qr=False)
    fmt = ReceiptFormat.from_settings(c.printer)
    broken = signature_png()[:60]  # a PNG's header, then nothing
    (receipt,) = decode(receipt_bytes(build_receipt(letter(c, broken), c, WHEN, fmt), fmt))
    assert receipt.images == 0 and "Zoë Çelik" in receipt.text and receipt.cut
    not_png = build_receipt(letter(c, b"GIF89a..."), c, WHEN, fmt)
    assert "drawing" not in [line.style for line in not_png]


# --- kept, purged, salvaged ----------------------------------------------------------------------


def visit(store, campaign, drawing, *, by_print=True, by_email=False, mode="full"):
    j = Journey(campaign)
    j.set_language("fr")
    j.start()
    j.toggle_recipient("pm")
    j.update(body="Protégez ces hommes, maintenant.", first_name="Zoé", last_name="Bélanger",
             email="zoe@example.org", sign_mode=mode, drawing=drawing)
    return keep_letters(store, campaign, j.session, j.letters(),
                        Delivery(print=by_print, email=by_email))


def test_the_drawing_is_kept_beside_its_letter_and_read_back_for_printing(campaign, store):
    drawing = signature_png()
    [kept] = visit(store, campaign, drawing)
    letter_back, _when = print_jobs.letter_for_job(store, kept.print_job_id)
    assert letter_back.signer.drawing == drawing
    [plain] = visit(store, campaign, None)
    assert print_jobs.letter_for_job(store, plain.print_job_id)[0].signer.drawing is None
    [anonymous] = visit(store, campaign, drawing, mode="anonymous")
    assert print_jobs.letter_for_job(store, anonymous.print_job_id)[0].signer.drawing is None
    count = store.conn.execute("SELECT COUNT(*) FROM letter_drawings").fetchone()[0]
    assert count == 1, "a letter without a name keeps no drawing"


def test_the_purge_removes_the_drawing_from_the_disk(campaign, store, data_dir):
    drawing = signature_png(seed=7)
    [kept] = visit(store, campaign, drawing)
    print_jobs.mark_printed(store, kept.print_job_id, "online")
    later = datetime.now(UTC) + timedelta(days=31)
    assert purge_personal_details(store, 30, now=later) == 1
    assert store.conn.execute("SELECT COUNT(*) FROM letter_drawings").fetchone()[0] == 0
    assert print_jobs.letter_for_job(store, kept.print_job_id)[0].signer.drawing is None
    # Overwritten, not only unlinked: no stretch of the picture is left in the files.
    piece = drawing[len(drawing) // 2:len(drawing) // 2 + 24]
    for path in data_dir.glob(f"{DB}*"):
        assert piece not in path.read_bytes(), path.name


def test_email_never_carries_the_drawing(campaign, store):
    settings = EmailSettings(sender_address="kiosk@example.org", sender_name="Letter Kiosk")
    messages = []
    for drawing in (signature_png(), None):
        visit(store, campaign, drawing, by_print=False, by_email=True)
        item = q.claim(store, "test:1:w", 60)
        assert item is not None
        msg, _envelope = build_message(item, settings)
        messages.append(msg)
    drawn, plain = messages
    assert not drawn.is_multipart() and list(drawn.iter_attachments()) == []
    assert drawn.get_content_type() == "text/plain"
    assert drawn.get_content() == plain.get_content()
    assert b"PNG" not in bytes(drawn)


def test_the_hub_upload_leaves_the_drawing_on_the_kiosk(campaign, store):
    visit(store, campaign, signature_png(), by_email=True)
    letters, _emails = uploads.waiting(store, campaign.campaign.id, 10)
    assert len(letters) == 1
    values = dataclasses.asdict(letters[0]).values()
    assert not any(isinstance(v, bytes | bytearray | memoryview) for v in values)


def _keep_many(data_dir, campaign, count: int) -> dict[int, bytes]:
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir)
    drawings = {}
    try:
        for i in range(count):
            drawing = signature_png(seed=i, size=(200 + i % 50, 60))
            [kept] = store.keep(session_id=f"s{i}", campaign_id=campaign.campaign.id,
                                letters=[letter(campaign, drawing)], by_print=True,
                                by_email=False, emails=[None])
            drawings[kept.letter_id] = drawing
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return drawings


def _drawings(db) -> dict[int, bytes]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT letter_id, png FROM letter_drawings")
        return {r[0]: bytes(r[1]) for r in rows}
    finally:
        conn.close()


def test_salvage_carries_the_drawings_sqlite_can_read(tmp_path, campaign):
    data_dir = tmp_path / "data"
    drawings = _keep_many(data_dir, campaign, 12)
    db = data_dir / DB
    overwrite_pages(db, [pages_of(db, "audit", "leaf")[0][0]])  # damage elsewhere
    report = salvage(data_dir)
    assert report.kept_in is not None
    assert _drawings(db) == drawings
    assert report.recovered["letter_drawings"] == 12


def test_salvage_reads_drawings_from_the_raw_pages_when_sqlite_cannot(tmp_path, campaign):
    data_dir = tmp_path / "data"
    drawings = _keep_many(data_dir, campaign, 60)
    db = data_dir / DB
    [(root, _cells)] = pages_of(db, "letter_drawings", "internal")
    overwrite_pages(db, [root])
    report = salvage(data_dir)
    assert _drawings(db) == drawings, "each drawing whole, with its own letter"
    assert report.from_pages >= 60


def test_only_a_blob_is_taken_for_a_raw_drawing(tmp_path, campaign):
    from kiosk.store.salvage import _columns, _fits

    _keep_many(tmp_path / "data", campaign, 1)
    conn = sqlite3.connect(tmp_path / "data" / DB)
    try:
        columns = _columns(conn, "letter_drawings")
    finally:
        conn.close()
    assert _fits((None, signature_png()), columns)
    # A two-value record of some other table is not a drawing (a record that fits two tables
    # is given to neither).
    assert not _fits((None, "2026-11-30T03:41:18Z"), columns)
    assert not _fits((None, 42), columns)
