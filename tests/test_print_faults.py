"""One test per printer fault from issue 3. Each ends with the letter printed exactly once after
recovery, its job marked printed, and nothing lost. The printer is the TCP emulator; waits are
on conditions with timeouts, never fixed sleeps."""

from __future__ import annotations

import time

from kiosk.delivery.printer import StatusKind
from tests.support.campaigns import printer_campaign
from tests.support.letters import job_row, keep_letter
from tests.support.peers.escpos_printer import complete_copies
from tests.support.waiting import wait_until

MARK = "ŒUVRE et cœur"  # printed as-is with CP1252


def _printed_once(emulator, store, job_id: int) -> None:
    wait_until(lambda: job_row(store, job_id)["state"] == "printed", what="job printed")
    # A printer that gives no status is "printed" once the bytes are handed to the network:
    # the emulator may not have read them yet, so wait for the receipt itself.
    wait_until(lambda: complete_copies(emulator.receipts(), MARK) >= 1, what="receipt arrived")
    receipts = emulator.receipts()  # waits for the job still on the wire, up to its cut
    assert complete_copies(receipts, MARK) == 1, [r.text for r in receipts]
    assert complete_copies(receipts, "Zoë Ñúñez-Çelik") == 1


def _status_becomes(p, kind: StatusKind) -> None:
    """The service's own status says ``kind``. It is published just after the job's row is
    written, so reading it once right after the row would race the worker."""
    wait_until(lambda: p.service.status().printer.kind is kind, what=f"service status {kind}")


def _stays_queued(p, store, job_id: int, status: StatusKind) -> None:
    wait_until(lambda: job_row(store, job_id)["last_status"] == status, what=f"job {status}")
    _status_becomes(p, status)
    assert job_row(store, job_id)["state"] == "queued"


def test_connection_refused_then_printer_back(net_campaign, emulator, store, probe):
    emulator.refuse()
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    _stays_queued(p, store, job, StatusKind.OFFLINE)
    status = p.service.status()
    assert status.printer.kind is StatusKind.OFFLINE and "refused" in status.printer.detail
    assert status.queued_ids == (job,)
    assert "cannot reach" in status.staff_alert("en").lower()
    assert job_row(store, job)["attempts"] == 0  # nothing was sent
    emulator.power_cycle()  # listening again: the next try opens a fresh connection
    _printed_once(emulator, store, job)
    _status_becomes(p, StatusKind.ONLINE)


def test_connection_that_hangs_times_out_and_screen_stays_responsive(
    net_campaign, emulator, store, probe
):
    emulator.hang = True  # accepts the connection, then reads and answers nothing
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    wait_until(lambda: emulator.connections >= 2, what="a second connection after a timeout")
    # What the UI thread calls must return at once while the worker waits on the printer.
    slowest = 0.0
    for _ in range(50):
        t = time.perf_counter()
        p.service.status()
        p.service.wake()
        slowest = max(slowest, time.perf_counter() - t)
    assert slowest < 0.05
    _stays_queued(p, store, job, StatusKind.UNKNOWN)
    assert p.service.status().printer.kind is StatusKind.UNKNOWN  # never "ok" from silence
    assert emulator.printed == bytearray()
    emulator.power_cycle()
    _printed_once(emulator, store, job)


def test_connect_that_hangs_times_out_within_the_limit(net_campaign, emulator, store, probe):
    emulator.drop_new_connections()  # the printer's network card takes no new connection
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    _stays_queued(p, store, job, StatusKind.OFFLINE)
    assert "timed out" in job_row(store, job)["last_error"]
    assert p.service.status().printer.kind is StatusKind.OFFLINE
    t = time.perf_counter()
    p.service.status()
    assert time.perf_counter() - t < 0.05
    emulator.power_cycle()
    _printed_once(emulator, store, job)


def test_printer_that_stops_reading_mid_job(net_campaign, emulator, store, probe):
    emulator.stall_after = 400  # takes the start of the job, then stops reading
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    wait_until(lambda: job_row(store, job)["attempts"] >= 1, what="job sent once")
    _stays_queued(p, store, job, StatusKind.UNKNOWN)
    assert 0 < len(emulator.printed) < 2000  # a torn start of the letter, no cut
    assert complete_copies(emulator.receipts(), MARK) == 0
    emulator.power_cycle()  # staff switch it off and on: the torn job is gone
    _printed_once(emulator, store, job)


def test_paper_out_nothing_sent_until_refilled(net_campaign, emulator, store, probe):
    emulator.paper = "out"
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    _stays_queued(p, store, job, StatusKind.PAPER_OUT)
    status = p.service.status()
    assert status.printer.kind is StatusKind.PAPER_OUT
    assert "saved" in status.printer.visitor_message("en")
    # The offer to email instead is added by the Send step, only when email is possible
    # (tests/test_journey_ui.py).
    assert "papier" in status.printer.visitor_message("fr")
    assert "out of paper" in status.staff_alert("en")
    # Sending now would leave the letter in the printer's buffer (and print it twice later).
    assert job_row(store, job)["attempts"] == 0 and emulator.buffered == bytearray()
    emulator.refill()
    _printed_once(emulator, store, job)


def test_paper_near_end_prints_and_warns_staff(net_campaign, emulator, store, probe):
    emulator.paper = "low"
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    _printed_once(emulator, store, job)
    _status_becomes(p, StatusKind.PAPER_LOW)
    status = p.service.status()
    assert status.printer.ready
    assert "running low" in status.staff_alert("en")
    assert "paper_low" in p.kinds()


def test_cover_open_then_closed(net_campaign, emulator, store, probe):
    emulator.cover_open = True
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    _stays_queued(p, store, job, StatusKind.COVER_OPEN)
    assert "cover" in p.service.status().staff_alert("en")
    assert job_row(store, job)["attempts"] == 0
    emulator.close_cover()
    _printed_once(emulator, store, job)


def test_printer_that_never_answers_status(net_campaign, emulator, store, probe):
    emulator.answer_status = False
    job = keep_letter(store, net_campaign)
    p = probe(net_campaign).start()
    _stays_queued(p, store, job, StatusKind.UNKNOWN)
    wait_until(lambda: emulator.connections >= 2, what="the check tried again")
    assert p.service.status().printer.kind is StatusKind.UNKNOWN
    assert "not answering" in p.service.status().staff_alert("en")
    assert emulator.printed == bytearray()  # silence is not "ready": nothing sent
    emulator.answer_status = True  # e.g. staff restarted it
    _printed_once(emulator, store, job)


def test_printer_configured_as_never_answering_prints_unmonitored(
    net_campaign, emulator, store, probe
):
    # For printers with no status channel at all, staff set answers_status = false.
    emulator.answer_status = False
    campaign = printer_campaign(net_campaign, answers_status=False)
    job = keep_letter(store, campaign)
    p = probe(campaign).start()
    _printed_once(emulator, store, job)
    assert p.service.status().printer.monitored is False
    assert emulator.status_replies == 0


def test_paper_runs_out_mid_job_is_never_lost(net_campaign, emulator, store, probe):
    """The documented trade-off: a job torn by paper-out may print twice, never zero times."""
    job = keep_letter(store, net_campaign)
    emulator.paper = "low"
    emulator.paper_out_after = 300  # the paper ends once part of the job has printed
    p = probe(net_campaign).start()
    _stays_queued(p, store, job, StatusKind.PAPER_OUT)
    emulator.paper_out_after = None
    emulator.refill()  # the buffered rest prints, then the kiosk sends the letter again
    wait_until(lambda: job_row(store, job)["state"] == "printed", what="job printed")
    copies = sum(1 for r in emulator.receipts() if MARK in r.text)
    assert copies >= 1
