"""Full letters on the office printer, through a real CUPS scheduler (issue 13).

The scheduler is the tests' own (tests/support/cups.py): its queues write each job, byte for
byte, to a folder, where pypdf reads the PDF that would have reached the printer. Faults are
CUPS's own: a stopped queue (cupsdisable), a queue rejecting jobs (cupsreject), a job cancelled
in CUPS, a scheduler that is not running. Each ends with the letter printed exactly once, or
held for staff; never lost, never reported printed when it was not.

No test sleeps to let something happen: each waits for a condition, with a deadline.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.delivery import cups_link
from kiosk.delivery.office_queue import OfficeKind, OfficeService
from kiosk.domain.letter import Signer, make_letter
from tests.support.cups import CupsScheduler
from tests.support.cups_fixtures import CupsQueue
from tests.support.letters import job_row
from tests.support.waiting import wait_until

BODY = "Protégez les hommes qui fuient la Tchétchénie : accueillez-les au Canada !"
LETTER_W, LETTER_H = 612, 792  # US Letter in points


def office_campaign(campaign, cups: CupsScheduler, queue: str, **settings: object):
    office = campaign.office_printer.model_validate({
        "enabled": True, "queue": queue, "server": str(cups.socket_path),
        "retry_seconds": 0.05, "poll_seconds": 0.05, **settings})
    return campaign.model_copy(update={"office_printer": office})


def keep_full_letter(store, campaign, *, body: str = BODY, lang: str = "fr",
                     recipient: str = "pm", receipt: bool = False) -> int:
    """One letter kept with a full-page job (as on confirm); the office job's id."""
    letter = make_letter(campaign, recipient, lang, body,
                         Signer(first_name="Zoë", last_name="Ñúñez-Çelik", city="Montréal"))
    kept = store.keep(session_id="s", campaign_id=campaign.campaign.id, letters=[letter],
                      by_print=receipt, by_office=True, by_email=False, emails=[None])
    assert kept[0].office_job_id is not None
    return kept[0].office_job_id


@pytest.fixture
def office(campaign, cups: CupsScheduler, cups_queue: CupsQueue):
    return office_campaign(campaign, cups, cups_queue.name)


@pytest.fixture
def service(store):
    made: list[OfficeService] = []

    def start(campaign) -> OfficeService:
        s = OfficeService(campaign, store)
        made.append(s)
        s.start()
        return s

    yield start
    for s in made:
        s.stop()
        assert not s.running, "the office printer's worker did not stop"


def state(store, job: int) -> str:
    return str(job_row(store, job)["state"])


def printed_files(queue: CupsQueue) -> list[Path]:
    return sorted(queue.folder.glob("job-*.prn"))


def wait_printed(store, queue: CupsQueue, job: int, copies: int = 1) -> bytes:
    wait_until(lambda: state(store, job) == "printed", what=f"office job {job} printed")
    # CUPS says completed once its device wrote the file: it is there, whole.
    files = printed_files(queue)
    assert len(files) == copies, files
    return files[-1].read_bytes()


def held_by_cups(cups, queue: CupsQueue, store, office, service, reason: str = "held",
                 **letter: object) -> tuple[int, OfficeService]:
    """A full letter handed to CUPS and kept there by a stopped queue (``reason``): its job id
    and the running service."""
    cups.stop_queue(queue.name, reason=reason)
    job = keep_full_letter(store, office, **letter)
    s = service(office)
    wait_until(lambda: job_row(store, job)["cups_job"] is not None, what="handed to CUPS")
    return job, s


def test_a_full_letter_reaches_the_printer_as_a_pdf(office, store, cups_queue, service):
    job = keep_full_letter(store, office)
    s = service(office)
    data = wait_printed(store, cups_queue, job)
    pdf = PdfReader(io.BytesIO(data))
    page = pdf.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
        LETTER_W, LETTER_H)
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Tchétchénie" in text and "Zoë Ñúñez-Çelik" in text and "Montréal" in text
    row = job_row(store, job)
    assert row["attempts"] == 1 and row["cups_job"] is None and row["device"] == "office"
    wait_until(lambda: s.status().printed == 1, what="printed counted")
    assert s.status().kind is OfficeKind.READY and s.status().staff_alert("en") is None


def test_a4_paper_for_dl_envelopes(campaign, cups, cups_queue, store, service):
    office = office_campaign(campaign, cups, cups_queue.name, paper="a4")
    job = keep_full_letter(store, office, lang="en", body="Please help.")
    service(office)
    page = PdfReader(io.BytesIO(wait_printed(store, cups_queue, job))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_receipt_and_full_letter_are_two_jobs(office, store):
    letter = make_letter(office, "pm", "en", "Hello", Signer(first_name="Ann"))
    kept = store.keep(session_id="s", campaign_id="c", letters=[letter], by_print=True,
                      by_office=True, by_email=False, emails=[None])
    rows = store.conn.execute("SELECT device FROM print_jobs WHERE letter_id = ? ORDER BY id",
                              (kept[0].letter_id,)).fetchall()
    assert [r[0] for r in rows] == ["receipt", "office"]
    assert kept[0].print_job_id != kept[0].office_job_id


def test_stopped_queue_holds_the_letter_then_prints_it_once(office, cups, cups_queue, store,
                                                            service):
    cups.stop_queue(cups_queue.name, reason="Paper jam in tray 2")
    job = keep_full_letter(store, office)
    s = service(office)
    # Handed over (CUPS keeps it), not printed; staff are told why, with the fix.
    wait_until(lambda: job_row(store, job)["cups_job"] is not None, what="handed to CUPS")
    wait_until(lambda: s.status().kind is OfficeKind.STOPPED, what="status stopped")
    alert = s.status().staff_alert("en") or ""
    assert "Paper jam" in alert and f"cupsenable {cups_queue.name}" in alert
    assert "waiting: 1" in alert
    assert state(store, job) == "queued" and not printed_files(cups_queue)
    cups.start_queue(cups_queue.name)
    wait_printed(store, cups_queue, job)
    assert job_row(store, job)["attempts"] == 1  # handed over once: printed once


def test_queue_rejecting_jobs_keeps_the_letter_until_it_accepts(office, cups, cups_queue, store,
                                                                service):
    cups.reject(cups_queue.name)
    job = keep_full_letter(store, office)
    s = service(office)
    wait_until(lambda: s.status().kind is OfficeKind.NOT_ACCEPTING, what="not accepting")
    assert f"cupsaccept {cups_queue.name}" in (s.status().staff_alert("en") or "")
    assert job_row(store, job)["cups_job"] is None and state(store, job) == "queued"
    assert job_row(store, job)["attempts"] == 0  # nothing handed over
    cups.accept(cups_queue.name)
    wait_printed(store, cups_queue, job)


def test_job_cancelled_in_cups_is_held_for_staff_then_retried_once(office, cups, cups_queue,
                                                                   store, service):
    from kiosk.store import print_jobs as pj

    job, s = held_by_cups(cups, cups_queue, store, office, service, "out of toner")
    cups.run("cancel", f"{cups_queue.name}-{job_row(store, job)['cups_job']}")
    wait_until(lambda: state(store, job) == "failed", what="held for staff")
    assert "cancelled in CUPS" in str(job_row(store, job)["last_error"])
    wait_until(lambda: s.status().failed == 1, what="failed counted")
    cups.start_queue(cups_queue.name)
    assert not printed_files(cups_queue)
    # Staff fix the printer and retry: it is handed over again, as a new try, and prints once.
    assert pj.retry(store, job)
    s.wake()
    wait_printed(store, cups_queue, job)
    assert job_row(store, job)["attempts"] == 2


def test_scheduler_not_running_keeps_the_letter(office, cups, cups_queue, store, service):
    cups.stop()
    try:
        job = keep_full_letter(store, office)
        s = service(office)
        wait_until(lambda: s.status().kind is OfficeKind.NO_CUPS, what="CUPS not answering")
        assert "cannot reach CUPS" in (s.status().staff_alert("en") or "")
        assert state(store, job) == "queued" and job_row(store, job)["attempts"] == 0
    finally:
        cups.start()
    wait_printed(store, cups_queue, job)


def test_scheduler_stopped_while_cups_holds_the_job(office, cups, cups_queue, store, service):
    """CUPS keeps its jobs across a restart: the kiosk follows the same job, never a second."""
    job, s = held_by_cups(cups, cups_queue, store, office, service, "lid open")
    cups.stop()
    try:
        wait_until(lambda: s.status().kind is OfficeKind.NO_CUPS, what="CUPS not answering")
        assert state(store, job) == "queued"
    finally:
        cups.start()
    cups.start_queue(cups_queue.name)
    wait_printed(store, cups_queue, job)
    assert job_row(store, job)["attempts"] == 1


def test_a_crash_after_handing_over_finds_the_job_again(office, cups, cups_queue, store,
                                                        service):
    """The kiosk stopped after CUPS took the job, before writing its number down: on restart
    the job is found by its title and followed, not handed over twice."""
    from kiosk.delivery.paper.letter_pdf import full_letter_pdf
    from kiosk.store import print_jobs as pj

    cups.stop_queue(cups_queue.name, reason="held for the test")
    job = keep_full_letter(store, office)
    pj.note_sent(store, job)  # the try counted and committed, as the worker does first
    row = pj.get_job(store, job)
    assert row is not None
    letter, when = pj.letter_for_job(store, job)
    data = full_letter_pdf([(letter, when)], paper="letter", title="t")
    number = cups_link.print_pdf(office.office_printer, data,
                                 cups_link.job_title(job, row.letter_uuid, 1))
    service(office)
    wait_until(lambda: job_row(store, job)["cups_job"] == number, what="found by its title")
    cups.start_queue(cups_queue.name)
    wait_printed(store, cups_queue, job)
    assert job_row(store, job)["attempts"] == 1


def test_cancel_by_staff_cancels_in_cups(office, cups, cups_queue, store, data_dir, service):
    from kiosk.app.core import Kiosk

    job, s = held_by_cups(cups, cups_queue, store, office, service, "held for the test")
    number = job_row(store, job)["cups_job"]
    assert Kiosk(office, data_dir, store).printing.cancel(job)
    assert state(store, job) == "cancelled"
    # Ended in CUPS (or already purged from it by the worker, which saw it end): never printed.
    assert cups_link.job_state(office.office_printer, number).phase in (
        cups_link.JobPhase.ENDED, cups_link.JobPhase.GONE)
    cups.start_queue(cups_queue.name)
    s.wake()
    wait_until(lambda: not cups.jobs("not-completed", cups_queue.name), what="CUPS queue empty")
    assert not printed_files(cups_queue) and state(store, job) == "cancelled"


def test_cancel_refused_while_cups_is_away(office, cups, cups_queue, store, data_dir, service):
    from kiosk.app.core import Kiosk

    job, s = held_by_cups(cups, cups_queue, store, office, service, "held for the test")
    s.stop()
    cups.stop()
    try:
        with pytest.raises(cups_link.CupsUnavailable):
            Kiosk(office, data_dir, store).printing.cancel(job)
        assert state(store, job) == "queued"  # it may still print: not reported cancelled
    finally:
        cups.start()


def test_missing_queue_is_said_plainly(campaign, cups, store, service):
    office = office_campaign(campaign, cups, "no_such_queue")
    job = keep_full_letter(store, office)
    s = service(office)
    wait_until(lambda: s.status().kind is OfficeKind.NO_QUEUE, what="no queue")
    assert "no queue named “no_such_queue”" in (s.status().staff_alert("en") or "")
    assert "aucune file nommée" in (s.status().staff_alert("fr") or "")
    assert state(store, job) == "queued"


def test_receipt_worker_leaves_office_jobs_alone(office, store):
    from kiosk.store import print_jobs as pj

    job = keep_full_letter(store, office)
    assert pj.next_queued(store) is None  # the receipt printer's queue
    assert pj.counts(store)["queued"] == 0 and pj.counts(store, "office")["queued"] == 1
    assert pj.next_to_hand_over(store).id == job


def test_job_cupsd_aborts_is_held_for_staff_and_prints_once_after_the_fix(campaign, cups,
                                                                         store, service,
                                                                         tmp_path):
    """The printer fails mid-job (its device cannot write) and the queue's error policy is to
    abort the job: CUPS says aborted; the kiosk holds the letter as failed, never printed, and
    a retry after the fix prints it once."""
    import shutil

    from kiosk.store import print_jobs as pj

    name = f"abort_{job_title_safe(tmp_path.name)}"
    folder = cups.add_queue(name, options={"printer-error-policy": "abort-job"})
    shutil.rmtree(folder)  # the device now fails: nowhere to write
    try:
        office = office_campaign(campaign, cups, name)
        job = keep_full_letter(store, office)
        s = service(office)
        wait_until(lambda: state(store, job) == "failed", what="held for staff")
        assert "aborted in CUPS" in str(job_row(store, job)["last_error"])
        # The status is published after the row is written: wait for it, never read it once.
        wait_until(lambda: s.status().failed == 1, what="failed counted")
        assert "did not print: 1" in (s.status().staff_alert("en") or "")
        cups.add_queue(name, options={"printer-error-policy": "abort-job"})  # fixed: the folder
        assert pj.retry(store, job)
        s.wake()
        wait_until(lambda: state(store, job) == "printed", what="printed after the fix")
        assert len(list(folder.glob("job-*.prn"))) == 1
        assert job_row(store, job)["attempts"] == 2
    finally:
        cups.run("cancel", "-a", name, check=False)
        cups.remove_queue(name)


def job_title_safe(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())[-12:]


# --- found by review: reprints, cancels, a hung scheduler, what CUPS and the disk keep ----------


def test_a_reprint_prints_again(office, cups_queue, store, service):
    from kiosk.store import print_jobs as pj

    job = keep_full_letter(store, office)
    s = service(office)
    wait_printed(store, cups_queue, job)
    assert pj.retry(store, job, reprint=True)
    s.wake()
    wait_until(lambda: len(printed_files(cups_queue)) == 2 and state(store, job) == "printed",
               what="printed a second time")
    assert job_row(store, job)["attempts"] == 2


def test_a_cancelled_letter_retried_prints(office, cups, cups_queue, store, data_dir, service):
    from kiosk.app.core import Kiosk
    from kiosk.store import print_jobs as pj

    job, s = held_by_cups(cups, cups_queue, store, office, service, "held for the test")
    assert Kiosk(office, data_dir, store).printing.cancel(job)
    cups.start_queue(cups_queue.name)
    assert pj.retry(store, job)  # staff change their mind
    s.wake()
    wait_printed(store, cups_queue, job)


def test_cancel_after_it_printed_says_printed(office, cups, cups_queue, store, data_dir):
    """CUPS printed it before the kiosk noticed: Cancel refuses and the job is marked printed
    (never "cancelled", which a later retry would print a second time)."""
    from kiosk.app.core import Kiosk
    from kiosk.delivery.paper.letter_pdf import full_letter_pdf
    from kiosk.store import print_jobs as pj

    job = keep_full_letter(store, office)
    pj.note_sent(store, job)
    row = pj.get_job(store, job)
    letter, when = pj.letter_for_job(store, job)
    number = cups_link.print_pdf(office.office_printer,
                                 full_letter_pdf([(letter, when)], paper="letter", title="t"),
                                 cups_link.job_title(job, row.letter_uuid, 1))
    pj.note_cups_job(store, job, number)
    wait_until(lambda: printed_files(cups_queue), what="printed by CUPS")
    wait_until(lambda: cups_link.job_state(office.office_printer, number).phase
               is cups_link.JobPhase.PRINTED, what="completed in CUPS")
    assert not Kiosk(office, data_dir, store).printing.cancel(job)
    assert state(store, job) == "printed"


def test_a_hung_scheduler_is_said_within_the_timeout(campaign, cups, cups_queue, store,
                                                     data_dir, service):
    """A scheduler that keeps its socket and answers nothing: staff are told, and a staff
    action comes back, within timeout_seconds (libcups alone would wait as long as it takes)."""
    from kiosk.app.core import Kiosk
    from kiosk.store import print_jobs as pj

    office = office_campaign(campaign, cups, cups_queue.name, timeout_seconds=1.0)
    job, s = held_by_cups(cups, cups_queue, store, office, service, "held for the test")
    cups.freeze()
    try:
        wait_until(lambda: s.status().kind is OfficeKind.NO_CUPS, what="CUPS not answering")
        assert "no answer within 1 s" in s.status().detail
        with pytest.raises(cups_link.CupsUnavailable):
            Kiosk(office, data_dir, store).printing.cancel(job)
        assert state(store, job) == "queued"
    finally:
        cups.thaw()
    # The cancel that timed out was on its way: CUPS carries it out once it answers. The
    # kiosk, which never said "cancelled", learns it from CUPS and holds the letter for staff.
    wait_until(lambda: state(store, job) == "failed", what="held for staff")
    assert "cancelled in CUPS" in str(job_row(store, job)["last_error"])
    cups.start_queue(cups_queue.name)
    assert pj.retry(store, job)
    s.wake()
    wait_printed(store, cups_queue, job)


def test_cups_keeps_no_copy_of_a_printed_letter(office, cups, cups_queue, store, service):
    job = keep_full_letter(store, office)
    service(office)
    wait_printed(store, cups_queue, job)
    # Purged from CUPS once printed: no job file (PreserveJobFiles), no history entry.
    wait_until(lambda: not cups.jobs("all", cups_queue.name), what="purged from CUPS")
    assert not [p for p in (cups.base / "spool").iterdir() if p.name.startswith("d")]


def test_letter_files_left_by_a_stopped_kiosk_are_removed(office, store, data_dir, service):
    left = data_dir / ".office-abc123"
    left.mkdir()
    (left / "Letter-Kiosk-letter.pdf").write_bytes(b"%PDF-1.4 Zo\xc3\xab")
    service(office)
    assert not left.exists()


def test_a_letter_cups_keeps_retrying_is_told_to_staff(campaign, cups, store, service,
                                                       monkeypatch):
    """The printer is unplugged but its queue stays enabled (error policy retry-job): CUPS sees
    no fault of its own and keeps the job. Past STUCK_SECONDS staff are told all the same."""
    import shutil

    from kiosk.delivery import office_queue

    monkeypatch.setattr(office_queue, "STUCK_SECONDS", 0.2)
    name = "stuck_queue"
    folder = cups.add_queue(name, options={"printer-error-policy": "retry-job"})
    shutil.rmtree(folder)
    try:
        office = office_campaign(campaign, cups, name)
        job = keep_full_letter(store, office)
        s = service(office)
        wait_until(lambda: s.status().kind is OfficeKind.NOT_PRINTING, what="not printing")
        assert "switched on" in (s.status().staff_alert("en") or "")
        assert state(store, job) == "queued"  # still CUPS's: it prints once the printer is back
    finally:
        cups.run("cancel", "-a", name, check=False)
        cups.remove_queue(name)


# --- check-config, before the doors open -------------------------------------------------------


def test_check_config_says_what_cups_here_thinks_of_the_queue(campaign, cups, cups_queue):
    from kiosk.app.preflight import office_printer_warnings

    office = office_campaign(campaign, cups, cups_queue.name)
    assert office_printer_warnings(office) == []
    cups.reject(cups_queue.name)
    assert any(f"cupsaccept {cups_queue.name}" in w for w in office_printer_warnings(office))
    cups.accept(cups_queue.name)
    cups.stop_queue(cups_queue.name, reason="Paper jam")
    assert any("Paper jam" in w and "cupsenable" in w for w in office_printer_warnings(office))
    cups.start_queue(cups_queue.name)
    missing = office_campaign(campaign, cups, "no_such_queue")
    assert any('no queue named "no_such_queue"' in w for w in office_printer_warnings(missing))
    cups.stop()
    try:
        assert any("until CUPS answers" in w for w in office_printer_warnings(office))
    finally:
        cups.start()


def test_check_config_warns_of_an_address_too_long_for_the_window(campaign, cups, cups_queue):
    from kiosk.app.preflight import office_printer_warnings

    office = office_campaign(campaign, cups, cups_queue.name)
    pm = office.recipients[0]
    long = pm.address.model_validate({lang: [f"Line {i} of a long address" for i in range(10)]
                                      for lang in office.languages})
    recipients = [pm.model_copy(update={"address": long}), *office.recipients[1:]]
    warnings = office_printer_warnings(office.model_copy(update={"recipients": recipients}))
    assert any(w.startswith("recipients[0].address.en: too long for a #10 window envelope")
               for w in warnings), warnings
    assert not any(w.startswith("recipients[1]") for w in warnings)


def test_check_config_command_with_an_office_printer(tmp_path, cups, cups_queue):
    import subprocess
    import sys

    from tests.support.campaigns import sample_text

    path = tmp_path / "office.toml"
    path.write_text(sample_text() + f'\n[office_printer]\nenabled = true\nqueue = "nope"\n'
                    f'server = "{cups.socket_path}"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kiosk", "check-config", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'has no queue named "nope"' in done.stderr
