"""Printing end to end: letters kept in the store, printed by the PrintService on the emulated
network printer (or the sample's file printer), and the bytes decoded back to text."""

from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.delivery.print_queue import PrintService
from kiosk.delivery.printer import StatusKind
from kiosk.store.schema import MIGRATIONS
from tests.support.campaigns import printer_campaign, sample_text
from tests.support.letters import FRENCH_BODY, job_row, keep_letter
from tests.support.peers.escpos_printer import decode
from tests.support.waiting import wait_until

UPPER = ["É", "È", "À", "Ç", "Ô", "Œ", "«", "»"]


def _printed(store, *jobs: int) -> None:
    wait_until(lambda: all(job_row(store, j)["state"] == "printed" for j in jobs),
               what=f"jobs {jobs} printed")


def test_french_letter_prints_every_accent(net_campaign, emulator, store, probe):
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    _printed(store, job)
    (receipt,) = emulator.receipts()
    text = receipt.text
    assert receipt.cut and receipt.qr == [net_campaign.donation.url]
    assert receipt.codepage_tables == [16]  # CP1252, locked once
    assert receipt.find("Bonjour,")  # salutation
    assert receipt.find("Zoë Ñúñez-Çelik").bold and receipt.find("Montréal")
    assert receipt.find("Cabinet du premier ministre").bold
    assert receipt.find("Pas besoin de timbre")
    for ch in UPPER + list("éèàçôœùêëïü’—"):
        assert ch in text, ch
    assert "ŒUVRE et cœur" in text and "« Maintenant » !" in text
    assert "🏳" not in text and "?" not in text
    for line in receipt.lines:
        assert len(line.text) <= (56 if line.font == "b" else 42), line
    row = job_row(store, job)
    assert row["attempts"] == 1 and row["printed_at"] and row["last_status"] == "online"
    # The service publishes its counts just after it writes the row: wait, don't race it.
    wait_until(lambda: p.service.status().printed == 1, what="the service's count")
    final = p.service.status()
    assert (final.queued, final.printed, final.queued_ids) == (0, 1, ())
    assert final.staff_alert("en") is None


def test_cp858_printer_gets_substitutes_not_question_marks(net_campaign, emulator, store, probe):
    c = printer_campaign(net_campaign, codepage="CP858")
    job = keep_letter(store, c)
    probe(c).start()
    _printed(store, job)
    (receipt,) = emulator.receipts()
    assert receipt.codepage_tables == [19]
    assert "OEUVRE et coeur" in receipt.text  # CP858 has no Œ/œ
    assert "l'été" in receipt.text  # nor curly apostrophes
    for ch in ["É", "È", "À", "Ç", "Ô", "«", "»"]:
        assert ch in receipt.text
    assert "?" not in receipt.text


@pytest.mark.parametrize(
    ("profile", "paper", "columns"), [("default", 58, 32), ("default", 80, 42),
                                      ("TM-T20II", 80, 48)]
)
def test_printed_lines_fit_the_paper(net_campaign, emulator, store, probe, profile, paper,
                                     columns):
    c = printer_campaign(net_campaign, profile=profile, paper_width_mm=paper)
    job = keep_letter(store, c, body=FRENCH_BODY * 3)
    probe(c).start()
    _printed(store, job)
    (receipt,) = emulator.receipts()
    body = [ln.text for ln in receipt.lines if ln.font == "a"]
    assert max(len(t) for t in body) == columns  # filled to the edge, never past it
    assert receipt.qr == [c.donation.url]
    words = " ".join(body).split()
    for word in FRENCH_BODY.split()[:-1]:  # the emoji is dropped
        assert word.replace("’", "’") in words, word  # every word printed whole


def test_jobs_print_one_at_a_time_in_order(net_campaign, emulator, store, probe):
    jobs = [keep_letter(store, net_campaign, body=f"Lettre numéro {i}. " + FRENCH_BODY)
            for i in range(3)]
    p = probe(net_campaign).start()
    _printed(store, *jobs)
    receipts = emulator.receipts()
    assert [r.cut for r in receipts] == [True] * 3
    assert [i for r in receipts for i in range(3) if f"Lettre numéro {i}." in r.text] == [0, 1, 2]
    wait_until(lambda: p.reports[-1].printed == 3, what="the last report")  # sent after the row
    last = p.reports[-1]
    assert (last.queued, last.printed) == (0, 3)
    assert any(r.printing_id is not None for r in p.reports)


def test_new_letter_is_printed_when_woken(net_campaign, emulator, store, probe):
    c = printer_campaign(net_campaign, poll_seconds=600)  # only wake() can make it print soon
    p = probe(c).start()
    wait_until(lambda: p.service.status().printer.kind is StatusKind.ONLINE, what="first check")
    job = keep_letter(store, c)
    p.service.wake()
    _printed(store, job)


def test_sample_file_printer_appends_each_receipt(campaign, data_dir, store, probe):
    jobs = [keep_letter(store, campaign), keep_letter(store, campaign, lang="en", body="Hello.")]
    p = probe(campaign).start()
    _printed(store, *jobs)
    receipts = decode((data_dir / "printer-output.bin").read_bytes())
    assert len(receipts) == 2 and all(r.cut for r in receipts)
    assert "OEUVRE et coeur" in receipts[0].text  # the sample locks CP858
    assert receipts[1].find("Hello.")
    assert p.service.status().printer.monitored is False


def test_disabled_printing_never_starts(campaign, store):
    c = printer_campaign(campaign, enabled=False)
    service = PrintService(c, store)
    service.start()
    assert not service.running
    assert service.status().printer.kind is StatusKind.DISABLED
    assert service.status().staff_alert("en") is None


def test_print_queue_is_in_the_first_migration():
    # A store made by the first release already has the print queue: no migration adds it.
    assert "CREATE TABLE print_jobs" in MIGRATIONS[0]


# --- command line -------------------------------------------------------------------------------


def _campaign_file(tmp_path, sample_path, **printer: str) -> str:

    text = sample_text()
    text = text.replace('connection = "file"\npath = "printer-output.bin"\n', "".join(
        f"{k} = {v}\n" for k, v in printer.items()))
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_test_print_prints_a_sample_receipt(tmp_path, sample_path, data_dir, emulator, capsys):
    cfg = _campaign_file(tmp_path, sample_path, connection='"network"', host='"127.0.0.1"',
                         port=str(emulator.port), timeout_seconds="0.5")
    assert main(["test-print", "--config", cfg, "--data-dir", str(data_dir)]) == 0
    assert "Test page printed" in capsys.readouterr().out
    (receipt,) = emulator.receipts()
    assert receipt.cut and receipt.find("Letter Kiosk test page")
    assert "É È Ê Ë À Â Ç Ô" in receipt.text  # the sample campaign locks CP858: no Œ


def test_test_print_says_why_when_unreachable(tmp_path, sample_path, data_dir, emulator, capsys):
    cfg = _campaign_file(tmp_path, sample_path, connection='"network"', host='"127.0.0.1"',
                         port=str(emulator.port), timeout_seconds="0.5")
    emulator.refuse()
    assert main(["test-print", "--config", cfg, "--data-dir", str(data_dir), "--lang", "fr"]) == 1
    out = capsys.readouterr().out
    assert "n’a pas été imprimée" in out and "Connection refused" in out
    emulator.power_cycle()
    emulator.paper = "out"
    assert main(["test-print", "--config", cfg, "--data-dir", str(data_dir)]) == 1
    assert "out of paper" in capsys.readouterr().out.lower()
    assert emulator.printed == bytearray()


def test_print_queue_list_retry_cancel(campaign, data_dir, store, capsys):
    first, second = keep_letter(store, campaign), keep_letter(store, campaign, lang="en")
    args = ["--data-dir", str(data_dir)]
    assert main(["print-queue", "list", *args]) == 0
    out = capsys.readouterr().out
    assert "STATE" in out and f"\n{first} " in out and f"\n{second} " in out
    assert main(["print-queue", "cancel", str(first), *args]) == 0
    assert job_row(store, first)["state"] == "cancelled"
    assert main(["print-queue", "cancel", str(first), *args]) == 1
    assert "cannot be cancelled" in capsys.readouterr().out
    assert main(["print-queue", "list", "--lang", "fr", *args]) == 0
    out = capsys.readouterr().out
    assert f"\n{first} " not in out and "en attente" in out
    assert main(["print-queue", "retry", str(first), *args]) == 0
    assert job_row(store, first)["state"] == "queued"
    assert main(["print-queue", "retry", "999", *args]) == 1
    audit = [r["action"] for r in store.conn.execute("SELECT action FROM audit")]
    assert audit == ["print.cancel", "print.retry"]
