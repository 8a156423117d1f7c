"""Envelopes and address labels (kiosk/delivery/paper/envelopes.py), the day's printed letters
they are for (kiosk/store/printed_letters.py, kiosk/app/envelopes.py) and the command that
writes them, read back with pypdf from a real store."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fpdf import FPDF

from kiosk.app.envelopes import day_addresses, day_letters, local_day_bounds
from kiosk.delivery.paper.envelopes import envelopes_pdf, label_inner, labels_pdf
from kiosk.delivery.paper.fonts import find_font
from kiosk.delivery.paper.geometry import LABEL_SHEETS, PAPER_SIZES, PLAIN_ENVELOPES
from kiosk.domain.letter import Signer, make_letter
from kiosk.store import print_jobs
from tests.support.pdf_text import page_size_mm, reader, runs

ROOT = Path(__file__).resolve().parent.parent
PT = 0.3528
PM = ["Office of the Prime Minister", "80 Wellington Street", "Ottawa ON  K1A 0A2"]
UN_FR = ["Haut-Commissaire des Nations Unies aux droits de l’homme", "Palais des Nations",
         "CH-1211 Genève 10", "SUISSE"]
HOSTILE = ["\u202eÉvil 🙏🏽 {{ office }}\x07\x00", "x" * 5000, "mot " * 300,
           "\u200fK1A\u00a00A6 <b>", *[f"line {n}" for n in range(12)]]
RETURN = ["Refuge sûr", "123, rue Principale", "Montréal (Québec)  H2X 1Y4"]


def width(text: str, size: float) -> float:
    doc = FPDF(unit="mm")
    doc.add_font("d", "", str(find_font()[0]))
    doc.set_font("d", "", size)
    return doc.get_string_width(text)


def assert_inside(drawn, box, what=""):
    for text, x, baseline, size in drawn:
        top, bottom = baseline - 0.95 * size * PT, baseline + 0.25 * size * PT
        assert box.x - 0.01 <= x and x + width(text, size) <= box.right + 0.01, (what, text)
        assert box.y - 0.01 <= top and bottom <= box.bottom + 0.01, (what, text, top, bottom)


@pytest.mark.parametrize("kind", ["us10", "dl"])
def test_envelopes_one_landscape_page_each_addresses_where_they_belong(kind):
    doc = reader(envelopes_pdf([PM, UN_FR], envelope=kind, return_address=RETURN))
    spec = PLAIN_ENVELOPES[kind]
    assert len(doc.pages) == 2
    for page, address in zip(doc.pages, [PM, UN_FR], strict=True):
        w, h = page_size_mm(page)
        assert (w, h) == pytest.approx(spec.size, abs=0.1) and w > h
        drawn = runs(page)
        sender = [r for r in drawn if any(r[0] in line for line in RETURN)]
        recipient = [r for r in drawn if r not in sender]
        assert [r[0] for r in sender] == RETURN
        assert " ".join(r[0] for r in recipient) == " ".join(address)
        assert_inside(sender, spec.return_box, "return")
        assert_inside(recipient, spec.recipient_box, "recipient")
        assert all(size >= 9 for *_, size in recipient)


def test_an_envelope_without_a_return_address_has_only_the_recipient():
    [page] = reader(envelopes_pdf([PM], envelope="us10", return_address=[])).pages
    assert [r[0] for r in runs(page)] == PM


@pytest.mark.parametrize("sheet", ["avery5160", "l7160"])
def test_labels_stay_within_their_labels(sheet):
    spec = LABEL_SHEETS[sheet]
    addresses = [PM, UN_FR, HOSTILE] * 12  # 36: more than one sheet of either
    doc = reader(labels_pdf(addresses, sheet=sheet))
    assert len(doc.pages) == -(-len(addresses) // spec.per_sheet)
    for page_no, page in enumerate(doc.pages):
        assert page_size_mm(page) == pytest.approx(PAPER_SIZES[spec.paper], abs=0.1)
        drawn = runs(page)
        # Each run belongs to the label it starts in, and stays inside it.
        for run in drawn:
            index = next(i for i in range(spec.per_sheet)
                         if label_inner(sheet, i).x - 0.01 <= run[1] <= label_inner(sheet, i).right
                         and label_inner(sheet, i).y - 1 <= run[2] <= label_inner(sheet, i).bottom)
            assert_inside([run], label_inner(sheet, index), (page_no, index))
    text = " ".join(p.extract_text() for p in doc.pages)
    assert "Genève" in text and "Palais des Nations" in text and "{{ office }}" in text
    assert "🙏" not in text and "\u202e" not in text and "\x07" not in text
    assert "…" in text, "what has no room is cut short, visibly"


def test_a_short_address_keeps_a_readable_size():
    [page] = reader(labels_pdf([PM], sheet="avery5160")).pages
    assert {round(size) for *_, size in runs(page)} == {11}


# --- the day's letters, from a real store ---------------------------------------------------


def keep(store, campaign, recipient="pm", *, office=False, receipt=True, lang="en"):
    letter = make_letter(campaign, recipient, lang, "Please act now.",
                         Signer(first_name="Zoé", last_name="Roy"))
    [kept] = store.keep(session_id="s", campaign_id=campaign.campaign.id, letters=[letter],
                        by_print=receipt, by_email=False, emails=[None], by_office=office)
    return kept


def printed(store, job_id, when: datetime | None = None):
    print_jobs.mark_printed(store, job_id, "online")
    if when is not None:
        store.conn.execute("UPDATE print_jobs SET printed_at = ? WHERE id = ?",
                           (when.astimezone(UTC).isoformat(timespec="milliseconds"), job_id))


def test_the_day_s_letters_receipt_only_by_default(campaign, store):
    today = date.today()
    un = keep(store, campaign, "un-ohchr")
    pm = keep(store, campaign, "pm")
    both = keep(store, campaign, "ircc", office=True)
    waiting = keep(store, campaign, "pm")  # not printed yet
    yesterday = keep(store, campaign, "pm")
    office_only = keep(store, campaign, "ircc", office=True, receipt=False)
    for k in (un, pm, both):
        printed(store, k.print_job_id)
    printed(store, both.office_job_id)
    printed(store, office_only.office_job_id)
    printed(store, yesterday.print_job_id, datetime.now().astimezone() - timedelta(days=1))
    assert waiting.print_job_id

    letters, left = day_letters(campaign, store, today)
    # The campaign's order of recipients, then the order written.
    assert [r.letter_id for r in letters] == [pm.letter_id, un.letter_id]
    assert left == 2  # both full pages are in window envelopes
    everything, none_left = day_letters(campaign, store, today, everything=True)
    assert [r.letter_id for r in everything] == [pm.letter_id, both.letter_id,
                                                 office_only.letter_id, un.letter_id]
    assert none_left == 0
    earlier, _ = day_letters(campaign, store, today - timedelta(days=1))
    assert [r.letter_id for r in earlier] == [yesterday.letter_id]


def test_a_local_day_is_midnight_to_midnight_in_utc():
    start, end = local_day_bounds(date(2026, 11, 3))
    local = datetime(2026, 11, 3).astimezone()
    assert datetime.fromisoformat(start) == local
    assert datetime.fromisoformat(end) == datetime(2026, 11, 4).astimezone()


def test_addresses_of_the_campaign_s_paper(campaign, store):
    printed(store, keep(store, campaign, "pm").print_job_id)
    done = day_addresses(campaign, store, date.today(), lang="fr")
    assert (done.kind, done.letters, done.paper) == ("us10", 1, "envelope")
    a4 = campaign.model_copy(update={"office_printer": campaign.office_printer.model_copy(
        update={"paper": "a4"})})
    done = day_addresses(a4, store, date.today(), lang="fr")
    assert done.kind == "dl"
    assert page_size_mm(reader(done.pdf).pages[0]) == pytest.approx((220, 110), abs=0.1)
    done = day_addresses(campaign, store, date.today(), lang="en", labels="l7160")
    assert (done.kind, done.paper) == ("l7160", "a4")


def run(data_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "envelopes", "--data-dir", str(data_dir), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_envelopes_command_end_to_end(campaign, store, data_dir, tmp_path):
    for recipient in ("pm", "un-ohchr"):
        printed(store, keep(store, campaign, recipient, lang="fr").print_job_id)
    full = keep(store, campaign, "ircc", office=True)
    printed(store, full.print_job_id)
    printed(store, full.office_job_id)

    out = tmp_path / "envelopes.pdf"
    done = run(data_dir, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"Wrote {out}: #10 envelopes for 2 letters printed on" in done.stdout
    assert "Left out: 1 letter also printed on a full page" in done.stdout
    pages = reader(out.read_bytes()).pages
    assert len(pages) == 2
    assert "Cabinet du premier ministre" in pages[0].extract_text()
    assert "SUISSE" in pages[1].extract_text()
    assert page_size_mm(pages[0]) == pytest.approx((241.3, 104.775), abs=0.1)

    labels = tmp_path / "labels.pdf"
    done = run(data_dir, "--out", str(labels), "--labels", "avery5160", "--all", "--lang", "fr")
    assert done.returncode == 0, done.stderr
    assert "étiquettes Avery 5160 pour 3 lettres imprimées" in done.stdout
    assert len(reader(labels.read_bytes()).pages) == 1

    # Refusals: plain, exit 2, nothing written or overwritten.
    before = out.read_bytes()
    again = run(data_dir, "--out", str(out))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert out.read_bytes() == before
    bad = run(data_dir, "--out", str(tmp_path / "x.pdf"), "--date", "03/11/2026")
    assert bad.returncode == 2 and "Not a date: 03/11/2026" in bad.stderr
    nowhere = run(data_dir, "--out", str(tmp_path / "no" / "such" / "x.pdf"))
    assert nowhere.returncode == 2 and "Cannot write" in nowhere.stderr
    for refused in (again, bad, nowhere):
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "x.pdf").exists()

    empty = run(data_dir, "--out", str(tmp_path / "old.pdf"), "--date", "2001-01-01")
    assert empty.returncode == 0 and "No letters were printed on 2001-01-01" in empty.stdout
    assert not (tmp_path / "old.pdf").exists()


def test_print_needs_the_office_printer(campaign, store, data_dir, tmp_path):
    printed(store, keep(store, campaign, "pm").print_job_id)
    for kind in ([], ["--labels", "avery5160"]):
        out = tmp_path / f"{len(kind)}.pdf"
        done = run(data_dir, "--out", str(out), *kind, "--print")
        assert done.returncode == 2 and "[office_printer]" in done.stderr, done.stderr
        assert not out.exists(), "refused before anything is written"


def office_file(tmp_path: Path, cups, queue: str) -> Path:
    """The sample campaign with the tests' CUPS queue as its office printer."""
    from tests.support.campaigns import sample_text, toml_value

    path = tmp_path / "office.toml"
    path.write_text(sample_text() + "\n[office_printer]\nenabled = true\n"
                    f"queue = {toml_value(queue)}\nserver = {toml_value(str(cups.socket_path))}\n",
                    encoding="utf-8")
    return path


def arrived(cups_queue, job: int) -> bytes:
    """The PDF CUPS handed the printer: its device writes job-<N>.prn once the job completed."""
    from tests.support.waiting import wait_until

    path = cups_queue.folder / f"job-{job}.prn"
    wait_until(lambda: path.exists() and path.stat().st_size, what=f"CUPS job {job} printed")
    return path.read_bytes()


def job_media(settings, job: int) -> str:
    from kiosk.delivery import cups_link

    return str(cups_link.call(settings, lambda conn: conn.getJobAttributes(job)["media"]))


def test_print_sends_envelopes_and_labels_to_cups(campaign, store, data_dir, tmp_path, cups,
                                                  cups_queue):
    import re

    from kiosk.app.preflight import load_campaign

    for recipient in ("pm", "un-ohchr"):
        printed(store, keep(store, campaign, recipient).print_job_id)
    config = office_file(tmp_path, cups, cups_queue.name)
    settings = load_campaign(config).office_printer

    done = run(data_dir, "--config", str(config), "--out", str(tmp_path / "e.pdf"), "--print")
    assert done.returncode == 0, done.stderr
    assert "manual (envelope) feed: load #10 envelopes there, 2 in all" in done.stdout
    job = int(re.search(r"as CUPS job (\d+)\.", done.stdout)[1])
    pages = reader(arrived(cups_queue, job)).pages
    assert [page_size_mm(p) for p in pages] == [pytest.approx((241.3, 104.775), abs=0.1)] * 2
    assert "80 Wellington" in pages[0].extract_text() + pages[1].extract_text()
    assert job_media(settings, job) == "na_number-10_4.125x9.5in"

    done = run(data_dir, "--config", str(config), "--out", str(tmp_path / "l.pdf"),
               "--labels", "l7160", "--print", "--lang", "fr")
    assert done.returncode == 0, done.stderr
    assert "chargez-y 1 planche d’étiquettes Avery L7160" in done.stdout
    job = int(re.search(r"tâche CUPS (\d+)\.", done.stdout)[1])
    [page] = reader(arrived(cups_queue, job)).pages
    assert page_size_mm(page) == pytest.approx(PAPER_SIZES["a4"], abs=0.1)
    assert job_media(settings, job) == "A4", "the sheet's paper, though the letters are Letter"

    cups.stop()
    done = run(data_dir, "--config", str(config), "--out", str(tmp_path / "x.pdf"), "--print")
    assert done.returncode == 1 and "did not take it" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and (tmp_path / "x.pdf").exists()
    # Each print from the command line is in the audit log, as the panel's are: counts only.
    actions = [r[0] for r in store.conn.execute(
        "SELECT action FROM audit WHERE action LIKE 'envelopes.%' ORDER BY id")]
    assert actions == ["envelopes.print", "envelopes.print", "envelopes.print_failed"]
    details = " ".join(r[0] for r in store.conn.execute(
        "SELECT detail FROM audit WHERE action LIKE 'envelopes.%'"))
    assert "Wellington" not in details


def test_missing_font_is_a_refusal(campaign, store, data_dir, tmp_path, monkeypatch):
    from kiosk.cli import main
    from kiosk.delivery.paper import fonts

    printed(store, keep(store, campaign, "pm").print_job_id)
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path / "no-fonts",))
    code = main(["envelopes", "--data-dir", str(data_dir), "--out", str(tmp_path / "e.pdf")])
    assert code == 2
    assert not (tmp_path / "e.pdf").exists()
