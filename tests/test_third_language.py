"""A language the kiosk does not ship, added with files only: Spanish, brought by a campaign.

Everything here is what an organiser writes, in a temporary folder: a catalog folder
``templates/i18n/es/`` (every catalog of the kiosk's English folder, translated, and its
language.toml), the letters in ``templates/letters/es/``, and a campaign file listing en, fr
and es with every text in each. No Python changes: the visitor's whole journey runs in Spanish
in the real window, the letter is kept in Spanish, and the receipt and the email are Spanish.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk.domain.journey import Step
from tests.support.campaigns import TEMPLATES, copy_templates, sample_text
from tests.support.checks.kiosk_cli import assert_refused, kiosk_cli
from tests.support.peers.escpos_printer import decode

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "kiosk" / "i18n" / "en"

# The kiosk's texts that this test reads on screen, on paper or in the email, in Spanish; every
# other text of the catalog is the English one marked "(es)", as a translator's first draft.
SPANISH_UI = {
    "attract.start": "Empezar",
    "attract.start_description": "Empezar a escribir su carta",
    "common.next": "Siguiente",
    "common.back": "Atrás",
    "common.step": "Paso {n} de {total}",
    "common.switch_language": "English",
    "write.title": "Escriba su carta",
    "dates.months": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|"
                    "noviembre|diciembre",
    "dates.first_of_month": "1",
    "dates.long": "{day} de {month} de {year}",
    "printing.receipt.no_postage": "No necesita sello: el correo a un diputado es gratuito "
                                   "en Canadá.",
    "printing.receipt.postage_needed": "Necesita sello (correo internacional).",
    "email.from_name": "{name} a través de {campaign}",
    "email.copy_note": "Escrita en un quiosco de cartas de {campaign}. Como pidió quien la "
                       "escribió, una copia va a la dirección que indicó allí (Cc).",
    "staff.pin_wrong": "NIP incorrecto. Queda{left:|n} {left} {left:intento|intentos}.",
}
LANGUAGE_TOML = """\
name = "Español"
english_name = "Spanish"
plural = "one"
keyboard = "es_ES"

[sample_visitor]
first_name = "Nuria"
last_name = "Peña"
city = "Winnipeg"
postal_code = "R3C 4T3"
email = "nuria@example.com"
"""
SPANISH_CAMPAIGN = {
    "Write for safe haven": "Escriba por un refugio seguro",
    "Sincerely,": "Atentamente,",
    "Protect gay and bisexual men fleeing Chechnya":
        "Protejan a los hombres gais y bisexuales que huyen de Chechenia",
    "Dear Prime Minister,": "Estimado primer ministro:",
    "Dear High Commissioner,": "Estimado Alto Comisionado:",
    "Scan the code to donate and help people reach safety.":
        "Escanee el código para donar y ayudar a las personas a ponerse a salvo.",
    "A few simple words": "Unas pocas palabras",
}
SPANISH_LETTER = ("Les escribo porque no puedo callar lo que ocurre en Chechenia.\n\n"
                  "Por favor, protejan a estos hombres y ayúdenlos a ponerse a salvo. "
                  "¿Cuánto más hay que esperar? ¡Actúen ya!")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    return str(value)


def _lines(table: dict[str, Any], prefix: str = "") -> list[str]:
    """A table's keys as dotted keys: ``title.es = "…"``."""
    out = []
    for key, value in table.items():
        if isinstance(value, dict):
            out += _lines(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key} = {_inline(value)}")
    return out


def _dump(raw: dict[str, Any]) -> str:
    out = []
    for name, value in raw.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                out += [f"\n[[{name}]]", *_lines(item)]
        else:
            out += [f"\n[{name}]", *_lines(value)]
    return "\n".join(out) + "\n"


def _in_spanish(value: Any) -> Any:
    if isinstance(value, list):
        return [_in_spanish(v) for v in value]
    return SPANISH_CAMPAIGN.get(value, f"(es) {value}")


def _add_spanish(node: Any) -> None:
    """Beside every text given in English and French, the Spanish one."""
    if isinstance(node, dict):
        if "en" in node and "fr" in node:
            node["es"] = _in_spanish(node["en"])
        for value in node.values():
            _add_spanish(value)
    elif isinstance(node, list):
        for item in node:
            _add_spanish(item)


def _spanish_catalogs(folder: Path) -> None:
    from kiosk.i18n.texts import flatten

    folder.mkdir(parents=True)
    (folder / "language.toml").write_text(LANGUAGE_TOML, encoding="utf-8")
    for path in sorted(ENGLISH.glob("*.toml")):
        if path.name == "language.toml":
            continue
        english = flatten(tomllib.loads(path.read_text(encoding="utf-8")))
        lines = [f"{key} = {_toml_string(SPANISH_UI.get(key, f'(es) {text}'))}"
                 for key, text in english.items()]
        (folder / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_spanish_campaign(folder: Path) -> Path:
    """The sample campaign with a third language: catalogs, letters and texts in Spanish."""
    templates = copy_templates(folder)
    _spanish_catalogs(templates / "i18n" / "es")
    letters = templates / "letters" / "es"
    letters.mkdir()
    for english in sorted((TEMPLATES / "letters" / "en").glob("*.txt.j2")):
        (letters / english.name).write_text(SPANISH_LETTER + "\n", encoding="utf-8")
    raw = tomllib.loads(sample_text())
    raw["campaign"]["languages"] = ["en", "fr", "es"]
    raw["campaign"]["templates_dir"] = str(templates)
    _add_spanish(raw)
    path = folder / "campaign.toml"
    path.write_text(_dump(raw), encoding="utf-8")
    return path


@pytest.fixture
def spanish(tmp_path):
    """The Spanish campaign's file; the languages it adds are forgotten after the test."""
    from kiosk.i18n import forget_added_languages

    forget_added_languages()
    yield make_spanish_campaign(tmp_path / "campaign")
    forget_added_languages()


def test_check_config_accepts_the_campaign_with_its_own_language(spanish):
    done = kiosk_cli("check-config", str(spanish))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "languages en, fr, es" in done.stdout


def test_the_language_is_spoken_once_the_campaign_is_loaded(spanish):
    from kiosk.app.preflight import load_campaign
    from kiosk.i18n import english_name, languages, plural_is_one, tr
    from kiosk.ui.screenshots import sample_visitor
    from kiosk.ui.touch_keyboard import layout_for

    campaign = load_campaign(spanish)
    assert campaign.languages == ["en", "fr", "es"]
    assert "es" in languages() and english_name("es") == "Spanish"
    assert campaign.recipient("pm").salutation.get("es") == "Estimado primer ministro:"
    # The plural rule, the keyboard and the sample visitor come from its language.toml.
    assert not plural_is_one("es", 0) and plural_is_one("es", 1)
    assert tr("staff.pin_wrong", "es", left=1) == "NIP incorrecto. Queda 1 intento."
    assert tr("staff.pin_wrong", "es", left=2) == "NIP incorrecto. Quedan 2 intentos."
    # es_ES: the kiosk has no layout of that name, so its QWERTY with ñ, á… by long press.
    assert layout_for("es", campaign.campaign.french_keyboard) == "en_CA"
    assert sample_visitor("es")["last_name"] == "Peña"
    # Every language button names its language in itself, in every language.
    assert tr("attract.lang_es", "fr") == "Español" and tr("attract.lang_fr", "es") == "Français"


def test_a_visitor_writes_in_spanish_through_the_real_window(qtbot, visitor, spanish,
                                                             open_window):
    from kiosk.app.preflight import load_campaign
    from kiosk.delivery.message import build_message
    from kiosk.store.outbox import list_items

    campaign = load_campaign(spanish)
    window = open_window(workers=True, chosen=campaign)
    j, a = window.journey, window.pages[Step.ATTRACT]
    v = visitor(window)
    assert set(a.lang_buttons) == {"en", "fr", "es"}
    assert a.lang_buttons["es"].text() == "Español"
    v.language("es")
    assert j.language == "es" and a.start.text() == "Empezar"
    assert a.hero.text() == "Escriba por un refugio seguro"
    v.start()
    assert j.step is Step.RECIPIENTS
    assert window.step_label.text() == "Paso 1 de 5"

    v.choose("pm", "un-ohchr")
    v.next()
    assert j.step is Step.WRITE
    assert window.pages[Step.WRITE].title.text() == "Escriba su carta"

    # The starting text is the campaign's Spanish letter, from templates/letters/es/.
    v.starting_text("short")
    assert window.pages[Step.WRITE].editor.toPlainText().startswith("Les escribo porque")
    body = window.pages[Step.WRITE].editor.toPlainText()
    v.next()
    assert j.step is Step.SIGN

    v.sign(first="Nuria", last="Peña", city="Winnipeg", email="nuria@example.com",
           send_copy=True)
    v.review()
    assert j.step is Step.REVIEW
    preview = v.letters_shown()[0]
    assert "Estimado primer ministro:" in preview and "Atentamente," in preview

    v.next()
    assert j.step is Step.DELIVER
    v.send(print=True, email=True)
    assert j.step is Step.THANKS

    # Kept in Spanish.
    store = window.services.store
    rows = store.letters()
    assert [r.recipient_id for r in rows] == ["pm", "un-ohchr"]
    for r in rows:
        assert r.language == "es"
        assert r.body == body and r.closing == "Atentamente,"
        assert "Peña" in r.full_text
    assert rows[1].salutation == "Estimado Alto Comisionado:"

    # The email, as the outbox worker builds it: Spanish subject, note and language.
    items = list_items(store)
    assert [i.language for i in items] == ["es", "es"]
    built, _ = build_message(items[0], campaign.email)
    # Read back from the bytes that go on the wire, as a mail reader would.
    message = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)
    assert message["Content-Language"] == "es"
    assert message["Subject"].startswith("Protejan a los hombres")
    assert message["From"].addresses[0].display_name == "Nuria P. a través de Write for Safe Haven"
    text = message.get_content()
    assert text.startswith("Escrita en un quiosco de cartas de Write for Safe Haven.")
    assert "Estimado primer ministro:" in text and "Nuria Peña" in text

    # The receipts, through python-escpos into the file printer, in Spanish.
    qtbot.waitUntil(lambda: store.conn.execute(
        "SELECT COUNT(*) FROM print_jobs WHERE state = 'printed'").fetchone()[0] == 2,
        timeout=120_000)
    receipts = decode((window.services.data_dir / "printer-output.bin").read_bytes())
    assert len(receipts) == 2
    pm, un = (" ".join(r.text.split()) for r in receipts)
    assert "Escriba por un refugio seguro" in pm and "Estimado primer ministro:" in pm
    assert "¿Cuánto más hay que esperar? ¡Actúen ya!" in pm
    assert "Nuria Peña" in pm and "No necesita sello" in pm
    assert "Necesita sello (correo internacional)." in un
    months = SPANISH_UI["dates.months"].split("|")
    assert any(f" de {month} de " in pm for month in months), pm

    v.done()
    assert j.step is Step.ATTRACT


def test_a_catalog_missing_a_key_is_refused_naming_the_key(spanish):
    ui = spanish.parent / "templates" / "i18n" / "es" / "ui.toml"
    lines = ui.read_text(encoding="utf-8").splitlines()
    ui.write_text("\n".join(line for line in lines if not line.startswith("common.next ")),
                  encoding="utf-8")
    assert_refused(kiosk_cli("check-config", str(spanish)),
                   f"campaign.templates_dir: {ui}: common.next: missing")


def test_a_broken_language_file_or_catalog_is_refused_with_what_to_fix(spanish):
    folder = spanish.parent / "templates" / "i18n" / "es"
    (folder / "language.toml").write_text(
        LANGUAGE_TOML.replace('plural = "one"', 'plural = "few"'), encoding="utf-8")
    staff = folder / "staff.toml"
    staff.write_text(staff.read_text(encoding="utf-8").replace("{left}", "{lft}", 1),
                     encoding="utf-8")
    (folder / "dates.toml").unlink()
    done = kiosk_cli("check-config", str(spanish))
    assert_refused(done, f"{folder / 'language.toml'}: plural: must be one of",
                   f"{staff}: staff.pin_wrong: {{lft}} is not a placeholder here",
                   f"{folder / 'dates.toml'}: file not found; every language needs "
                   "language.toml and every catalog of kiosk/i18n/en/")
    # Nothing else is blamed on the language: campaign.languages may still list it.
    assert "campaign.languages" not in done.stderr


def test_a_campaign_cannot_replace_the_kiosks_own_language(spanish):
    shutil.copytree(ENGLISH.parent / "fr", spanish.parent / "templates" / "i18n" / "fr")
    assert_refused(kiosk_cli("check-config", str(spanish)),
                   "the kiosk has its own fr catalogs; a campaign's catalogs add languages")


@pytest.mark.parametrize(("name", "make", "expected"), [
    ("latin-1", lambda p: p.write_bytes("common.back = \"Atrás\"\n".encode("latin-1")),
     "not UTF-8 text (line 1 has the byte 0xE1"),
    ("folder", lambda p: (p.unlink(), p.mkdir()), "this is a folder"),
    ("device", lambda p: (p.unlink(), p.symlink_to("/dev/zero")), "not a regular file"),
    ("too large", lambda p: p.write_text("# " + "x" * 300_000 + "\n"), "too large"),
    ("not toml", lambda p: p.write_text('common.back = "Atrás\n'), "not valid TOML"),
    ("nested", lambda p: p.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n"),
     "lists or tables nested too deeply"),
])
def test_a_hostile_catalog_file_is_refused_with_its_name(spanish, name, make, expected):
    ui = spanish.parent / "templates" / "i18n" / "es" / "ui.toml"
    make(ui)
    assert_refused(kiosk_cli("check-config", str(spanish)),
                   f"campaign.templates_dir: {ui}: {expected}")
