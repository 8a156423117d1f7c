"""The ESC/POS emulator itself: what a test reads from it is whole receipts, never a job half
received (issue 10, point 7: a fault test read half a QR raster on a busy machine)."""

from __future__ import annotations

import socket
import threading
from datetime import datetime

from kiosk.delivery.receipt import letter_bytes
from kiosk.domain.letter import Signer, make_letter
from tests.support.campaigns import printer_campaign
from tests.support.peers.escpos_printer import next_command


def _receipt_bytes(campaign) -> bytes:
    letter = make_letter(campaign, "pm", "fr", "Une lettre assez longue pour passer.",
                         Signer(first_name="Zoë", last_name="Çelik", city="Montréal"))
    return letter_bytes(letter, campaign, datetime(2025, 6, 1, 10, 0))


def _middle_of_the_qr(job: bytes) -> tuple[int, int]:
    raster = job.index(b"\x1dv0")  # GS v 0: the QR code, printed as an image
    return raster, raster + (len(job) - raster) // 2


def test_a_command_is_complete_only_with_all_its_bytes(net_campaign):
    job = _receipt_bytes(net_campaign)
    raster, half = _middle_of_the_qr(job)
    assert next_command(job[:half], raster) is None
    whole = next_command(job, raster)
    assert whole is not None and raster + whole < len(job)
    assert next_command(job[:raster + 1], raster) is None  # a header cut short, too


def test_half_an_image_is_not_printed_until_the_rest_arrives(net_campaign, emulator):
    job = _receipt_bytes(net_campaign)
    raster, half = _middle_of_the_qr(job)
    with socket.create_connection((emulator.host, emulator.port)) as sock:
        sock.sendall(job[:half])
        assert emulator.wait_for(lambda: emulator.received == half)
        assert bytes(emulator.printed) == job[:raster]  # the text above it, not half a code
        sock.sendall(job[half:])
        receipts = emulator.receipts()
    assert len(receipts) == 1 and receipts[0].cut
    assert receipts[0].qr == [net_campaign.donation.url]


def test_receipts_wait_for_a_job_still_on_the_wire(net_campaign, emulator):
    c = printer_campaign(net_campaign, print_qr=True)
    job = _receipt_bytes(c)
    _raster, half = _middle_of_the_qr(job)
    reader_waiting = threading.Event()
    wait_for = emulator.wait_for

    def noting_wait_for(condition, timeout=10.0):
        reader_waiting.set()  # the reader is about to wait for the job to complete
        return wait_for(condition, timeout)

    with socket.create_connection((emulator.host, emulator.port)) as sock:
        sock.sendall(job[:half])
        assert emulator.wait_for(lambda: len(emulator.printed) > 0)  # the top is printed

        def send_the_rest() -> None:
            reader_waiting.wait()
            sock.sendall(job[half:])

        sender = threading.Thread(target=send_the_rest)
        sender.start()
        emulator.wait_for = noting_wait_for
        try:
            receipts = emulator.receipts()
        finally:
            reader_waiting.set()  # let the sender finish, whatever happened
            sender.join()
    assert len(receipts) == 1, [r.text for r in receipts]
    assert receipts[0].cut and receipts[0].qr == [c.donation.url]


def test_receipts_do_not_wait_for_a_printer_that_stopped_reading(net_campaign, emulator):
    job = _receipt_bytes(net_campaign)
    emulator.stall_after = 200
    with socket.create_connection((emulator.host, emulator.port)) as sock:
        sock.settimeout(60)
        sock.sendall(job[:1000])  # fits in the socket buffers: returns though nobody reads
        assert emulator.wait_for(lambda: len(emulator.printed) >= 200)
        assert emulator.wait_for(lambda: not emulator.receiving())  # nothing more will come
        receipts = emulator.receipts()
    assert len(receipts) == 1 and not receipts[0].cut
