"""Campaign files that used to crash or hang the kiosk (issue 10, point 3): each one is now
refused with the file and the key named, and through the real command line with exit 2 (the
service does not restart), never a traceback, never a hang."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from kiosk.app.preflight import campaign_warnings, load_campaign
from kiosk.config import ConfigError
from tests.support.campaigns import copy_templates, sample_text, write_campaign
from tests.support.checks.kiosk_cli import assert_refused, kiosk_cli


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_campaign(path)
    return info.value.messages


def only_problem(path: Path) -> str:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


def check_and_run_refuse(tmp_path: Path, config: Path, *expected: str) -> None:
    """Both `check-config` and `run` refuse with exit 2; `run` before any window opens (it
    exits, where a started kiosk would wait for visitors until the deadline)."""
    assert_refused(kiosk_cli("check-config", str(config)), str(config), *expected)
    data = tmp_path / "data"
    assert_refused(kiosk_cli("run", "--config", str(config), "--data-dir", str(data)),
                   str(config), *expected)


# --- reading the file ------------------------------------------------------------------------


def test_arrays_nested_thousands_deep_are_refused_naming_the_key(tmp_path):
    text = sample_text().replace("[session]\n", "[session]\nx = " + "[" * 5000 + "]" * 5000
                                 + "\n", 1)
    path = write_campaign(tmp_path / "deep.toml", text)
    line = only_problem(path)
    assert line.startswith("session.x: ") and "nested" in line
    check_and_run_refuse(tmp_path, path, "session.x: ", "nested")


@pytest.mark.parametrize("value", [
    "[" * 300 + "]" * 300,  # parses, then too deep for the models
    "{a = " * 300 + "1" + "}" * 300,
])
def test_deep_but_parseable_values_are_refused_naming_the_key(tmp_path, value):
    text = sample_text().replace("thanks_seconds = 30", f"thanks_seconds = {value}")
    line = only_problem(write_campaign(tmp_path / "c.toml", text))
    assert line.startswith("session.thanks_seconds") and "nested too deeply" in line


def test_dotted_keys_thousands_deep_are_refused(tmp_path):
    text = sample_text().replace("thanks_seconds = 30", "a" + ".a" * 5000 + " = 1")
    line = only_problem(write_campaign(tmp_path / "c.toml", text))
    assert line.startswith("session.a.a.a") and "nested" in line


def test_a_link_to_dev_zero_is_refused_before_reading(tmp_path):
    link = tmp_path / "campaign.toml"
    link.symlink_to("/dev/zero")
    line = only_problem(link)
    assert "not a regular file" in line and str(link) in line
    check_and_run_refuse(tmp_path, link, "not a regular file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "campaign.toml"
    os.mkfifo(fifo)
    # The command line, with a deadline: a hang would fail here instead of blocking the suite.
    check_and_run_refuse(tmp_path, fifo, "not a regular file")


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "campaign.toml"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        assert "not a regular file" in only_problem(path)


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "campaign.toml"
    folder.mkdir()
    assert "folder" in only_problem(folder)


def test_a_huge_file_is_refused_before_reading(tmp_path):
    path = write_campaign(tmp_path / "c.toml", sample_text() + "#" * (2 * 1024 * 1024) + "\n")
    line = only_problem(path)
    assert "too large" in line and "1 MiB" in line


# --- the donation QR code --------------------------------------------------------------------

LONG_URL = "https://example.org/" + "a" * 5000


@pytest.mark.parametrize("print_qr", [True, False])
def test_a_donation_url_too_long_for_any_qr_code_is_refused(tmp_path, print_qr):
    """The thank-you screen shows the QR code even when the receipt does not print it."""
    path = write_campaign(tmp_path / "c.toml", donation_url=LONG_URL,
                          printer={"connection": "file", "path": "p.bin", "print_qr": print_qr})
    line = only_problem(path)
    assert line.startswith("donation.url: ") and "QR code" in line and "5,020" in line


def test_a_donation_url_too_long_is_refused_by_the_command_line(tmp_path):
    path = write_campaign(tmp_path / "c.toml", donation_url=LONG_URL,
                          printer={"connection": "file", "path": "p.bin", "print_qr": False})
    check_and_run_refuse(tmp_path, path, "donation.url: ", "QR code")


def test_a_long_but_usable_donation_url_warns(tmp_path):
    campaign = load_campaign(write_campaign(
        tmp_path / "c.toml", donation_url="https://example.org/" + "d" * 400,
        printer={"connection": "file", "path": "p.bin", "print_qr": False}))
    assert any(w.startswith("donation.url: ") and "hard to scan" in w
               for w in campaign_warnings(campaign))


# --- template files --------------------------------------------------------------------------


def campaign_with_templates(tmp_path: Path, changes: dict[str, str | bytes]) -> Path:
    return write_campaign(tmp_path / "c.toml",
                          templates_dir=copy_templates(tmp_path, changes))


def test_a_template_in_latin1_is_refused_naming_the_file(tmp_path):
    path = campaign_with_templates(tmp_path, {
        "letters/fr/short.txt.j2": "Je vous écris parce que je ne peux pas me taire.".encode(
            "latin-1")})
    line = only_problem(path)
    assert line.startswith("starting_texts[2].template: ")
    assert str(tmp_path / "templates/letters/fr/short.txt.j2") in line and "UTF-8" in line


def test_a_template_that_is_a_folder_is_refused(tmp_path):
    templates = copy_templates(tmp_path)
    (templates / "letters/en/short.txt.j2").unlink()
    (templates / "letters/en/short.txt.j2").mkdir()
    line = only_problem(write_campaign(tmp_path / "c.toml", templates_dir=templates))
    assert line.startswith("starting_texts[2].template: ") and "folder" in line


def test_a_template_that_is_a_fifo_is_refused_without_hanging(tmp_path):
    templates = copy_templates(tmp_path)
    (templates / "letters/en/short.txt.j2").unlink()
    os.mkfifo(templates / "letters/en/short.txt.j2")
    path = write_campaign(tmp_path / "c.toml", templates_dir=templates)
    assert_refused(kiosk_cli("check-config", str(path)), "starting_texts[2].template: ",
                   "not a regular file")


def test_a_template_that_is_a_dangling_link_is_refused(tmp_path):
    templates = copy_templates(tmp_path)
    (templates / "letters/en/short.txt.j2").unlink()
    (templates / "letters/en/short.txt.j2").symlink_to(tmp_path / "gone.txt.j2")
    line = only_problem(write_campaign(tmp_path / "c.toml", templates_dir=templates))
    assert line.startswith("starting_texts[2].template: ") and "no template file" in line


def test_a_huge_template_is_refused(tmp_path):
    path = campaign_with_templates(tmp_path, {"letters/en/short.txt.j2": "x" * 300_000})
    line = only_problem(path)
    assert line.startswith("starting_texts[2].template: ") and "too large" in line


@pytest.mark.parametrize(("source", "words"), [
    ("Hello\n{{ 1/0 }}", "division by zero"),
    ("Hello\n{{ 'a' + 1 }}", "can only concatenate"),
    ("Hello\n{% for i in range(10**7) %}x{% endfor %}", "range"),
    ("Hello\n{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "too deep"),
    ("Hello\n{{ campaign.nope }}", "has no attribute 'nope'"),
    ("Hello\n{{ nope }}", "'nope' is undefined"),
    ("Hello\n{{ 'x' * 200000000 }}", "characters"),
    ("Hello\n{{ 9 ** 99999 }}", "too large"),
    ("Hello\n{% if %}", "syntax"),
    ("Hello\n{{ ''.__class__ }}", "unsafe"),
    ("Hello\n{{ 'x'|center(300000000) }}", "too large"),
])
def test_templates_that_fail_to_render_are_refused_with_file_and_line(tmp_path, source, words):
    path = campaign_with_templates(tmp_path, {"letters/fr/asylum.txt.j2": source})
    line = only_problem(path)
    file = tmp_path / "templates/letters/fr/asylum.txt.j2"
    assert line.startswith(f"starting_texts[0].template: {file}, line 2: "), line
    assert words in line, line


def test_template_failures_go_through_the_command_line_as_exit_2(tmp_path):
    path = campaign_with_templates(tmp_path, {
        "letters/en/accountability.txt.j2": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
        "letters/fr/short.txt.j2": "{{ 'x' * 200000000 }}",
    })
    check_and_run_refuse(tmp_path, path, "starting_texts[1].template: ",
                         "starting_texts[2].template: ")


def test_an_email_subject_is_dry_rendered_for_every_recipient(tmp_path):
    """A subject that works for the first recipient but not for a later one is caught."""
    text = sample_text().replace(
        'email_subject.fr = "Protégez',
        'email_subject.fr = "{{ 1 / (recipient.name|length - 56) }} Protégez')
    path = write_campaign(tmp_path / "c.toml", text)
    line = only_problem(path)
    assert line.startswith("letter.email_subject.fr: ") and "division by zero" in line
    assert "recipients[3]" in line  # the one it fails for: its French name is 56 characters


def test_a_subject_longer_than_a_header_line_is_refused(tmp_path):
    text = sample_text().replace('email_subject.en = "Protect',
                                 'email_subject.en = "{{ \'x\' * 5000 }} Protect')
    line = only_problem(write_campaign(tmp_path / "c.toml", text))
    assert line.startswith("letter.email_subject.en: ") and "characters" in line


def test_the_templates_checked_are_the_templates_used(tmp_path):
    """A template changed on disk after the check is not picked up by a running kiosk: what
    visitors get is what check-config approved."""
    from kiosk.compose import starting_text

    templates = copy_templates(tmp_path)
    campaign = load_campaign(write_campaign(tmp_path / "c.toml", templates_dir=templates))
    before = starting_text(campaign, "short", "en")
    (templates / "letters/en/short.txt.j2").write_text("{{ 1/0 }}", encoding="utf-8")
    assert starting_text(campaign, "short", "en") == before


# --- settings that validate but can never work ----------------------------------------------


def test_a_pin_hash_that_is_not_an_argon2_hash_is_refused(tmp_path):
    text = sample_text()
    start = text.index('pin_hash = "') + len('pin_hash = "')
    end = text.index('"', start)
    path = write_campaign(tmp_path / "c.toml", text[:start] + "1234" + text[end:])
    line = only_problem(path)
    assert line.startswith("staff.pin_hash: ") and "hash-pin" in line
    check_and_run_refuse(tmp_path, path, "staff.pin_hash: ")


@pytest.mark.parametrize(("pin_hash", "words"), [
    # Damaged: the salt is not base64.
    ("$argon2id$v=19$m=65536,t=3,p=4$c!!!$on1oGybzJhQNhbfmwFkauWl2MDIm14UxY5rpGovCLK0",
     "damaged"),
    # 4 GiB of memory for each try at the PIN pad.
    ("$argon2id$v=19$m=4194304,t=3,p=4$cVw27xIkCWCtsUXYkWZR8g$on1oGybzJhQNhbfmwFkauWl2MDIm14UxY5rpGovCLK0",
     "hash-pin"),
    ("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "Argon2"),
])
def test_pin_hashes_that_cannot_work_are_refused(tmp_path, pin_hash, words):
    text = sample_text()
    start = text.index('pin_hash = "') + len('pin_hash = "')
    end = text.index('"', start)
    line = only_problem(write_campaign(tmp_path / "c.toml", text[:start] + pin_hash + text[end:]))
    assert line.startswith("staff.pin_hash: ") and words in line


@pytest.mark.parametrize("host", ["10.0.0.5:9100", "", " ", "tcp://10.0.0.5", "10.0.0.5/24",
                                  "printer .local", "imprimante-é.local", "-bad.local"])
def test_a_network_printer_host_must_be_a_host_name_or_ip(tmp_path, host):
    path = write_campaign(tmp_path / "c.toml",
                          printer={"connection": "network", "host": host})
    line = only_problem(path)
    assert line.startswith("printer.host: ") and "printer.port" in line


@pytest.mark.parametrize("host", ["10.0.0.5", "printer.local", "receipt-1", "fe80::1",
                                  "2001:db8::5"])
def test_good_printer_hosts_are_accepted(tmp_path, host):
    path = write_campaign(tmp_path / "c.toml", printer={"connection": "network", "host": host})
    assert load_campaign(path).printer.host == host


@pytest.mark.parametrize(("printer", "module", "package"), [
    ({"connection": "serial", "serial_device": "/dev/ttyUSB0"}, "serial", "pyserial"),
    ({"connection": "usb", "usb_vendor_id": "0x04b8", "usb_product_id": "0x0202"}, "usb",
     "pyusb"),
    ({"connection": "cups", "cups_queue": "receipts"}, "cups", "pycups"),
])
def test_a_connection_whose_package_is_missing_is_refused(tmp_path, printer, module, package):
    import importlib.util

    path = write_campaign(tmp_path / "c.toml", printer=printer)
    if importlib.util.find_spec(module) is not None:
        load_campaign(path)  # installed here: nothing to refuse
        return
    line = only_problem(path)
    assert line.startswith("printer.connection: ") and package in line and "pip install" in line


def test_a_disabled_printer_needs_no_connection_details(tmp_path):
    path = write_campaign(tmp_path / "c.toml", printer={"enabled": False})
    assert load_campaign(path).printer.enabled is False
    done = kiosk_cli("check-config", str(path))
    assert done.returncode == 0, done.stderr


def test_a_disabled_printer_with_a_missing_package_is_fine(tmp_path):
    path = write_campaign(tmp_path / "c.toml", printer={"enabled": False, "connection": "serial"})
    assert load_campaign(path).printer.enabled is False


# --- more of the same class ------------------------------------------------------------------


def test_source_is_not_a_key_of_the_file(tmp_path):
    """``source`` is where the kiosk read the file from; a file cannot set it."""
    path = write_campaign(tmp_path / "c.toml", 'source = "/etc"\n' + sample_text())
    line = only_problem(path)
    assert line.startswith("source: unknown key")


def test_messages_never_echo_control_characters_to_the_terminal(tmp_path):
    path = write_campaign(tmp_path / "c.toml",
                          sample_text().replace('id = "ircc"', 'id = "ircc\x1b[2J\u202e'))
    line = only_problem(path)
    assert "\x1b" not in line and "\u202e" not in line
    assert "\\u001b[2J\\u202e" in line


def test_huge_values_are_not_echoed_whole(tmp_path):
    path = write_campaign(tmp_path / "c.toml", sample_text().replace(
        "idle_timeout_seconds = 90", f'idle_timeout_seconds = "{"9x" * 50_000}"'))
    line = only_problem(path)
    assert line.startswith("session.idle_timeout_seconds: must be a whole number, not ")
    assert "(100,000 characters)" in line and len(line) < 300


@pytest.mark.parametrize(("key", "value"), [
    ("printer.timeout_seconds", 0.0001),
    ("email.timeout_seconds", 1e-300),
    ("email.retry_initial_seconds", 1e-9),
])
def test_timeouts_too_short_to_ever_work_are_refused(tmp_path, key, value):
    section, name = key.split(".")
    settings = {name: value}
    if section == "printer":
        settings |= {"connection": "file", "path": "p.bin"}
    else:
        settings |= {"sender_address": "letters@example.org", "sender_name": "Letters"}
    line = only_problem(write_campaign(tmp_path / "c.toml", **{section: settings}))
    assert line.startswith(f"{key}: must be at least ")


def test_a_text_longer_than_any_screen_is_refused(tmp_path):
    path = write_campaign(tmp_path / "c.toml", sample_text().replace(
        'title.en = "Write for safe haven"', f'title.en = "{"w" * 3000}"'))
    assert only_problem(path) == "campaign.title.en: too long; at most 2,000 characters"


def test_subjects_drop_characters_that_have_no_place_in_a_header(tmp_path):
    from kiosk.compose import email_subject

    path = write_campaign(tmp_path / "c.toml", sample_text().replace(
        'email_subject.en = "Protect', 'email_subject.en = "\\u0000\\u001b[31m\\u202eProtect'))
    subject = email_subject(load_campaign(path), "pm", "en")
    assert subject.startswith("[31mProtect gay") and subject.isprintable()


def test_a_starting_text_longer_than_a_letter_may_be_warns(tmp_path):
    path = write_campaign(tmp_path / "c.toml", sample_text().replace(
        "body_max_chars = 4000", "body_max_chars = 300"))
    warnings = campaign_warnings(load_campaign(path))
    assert any(w.startswith("starting_texts[0].template: the French text is ")
               and "session.body_max_chars (300)" in w for w in warnings)


def test_more_recipients_than_a_screen_can_hold_are_refused(tmp_path):
    text = sample_text()
    start = text.index("[[recipients]]")
    block = text[start:text.index("[[recipients]]", start + 1)]
    many = "".join(block.replace('id = "pm"', f'id = "r{i}"') for i in range(101))
    path = write_campaign(tmp_path / "c.toml", text[:start] + many + text[start:])
    assert problems(path) == ["recipients: too many items; at most 100"]
