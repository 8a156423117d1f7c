"""The campaign file: the sample loads, and every kind of mistake is reported so a volunteer can
fix it: the message names the file, the key and what is allowed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app.preflight import campaign_warnings, load_campaign
from kiosk.config import ConfigError
from tests.support.campaigns import sample_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "sample-campaign.toml"
TEMPLATES = ROOT / "templates"
def variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the sample with one mistake in it."""
    text = sample_text()
    assert text.count(old) == 1, f"not exactly once in the sample: {old!r}"
    path = tmp_path / "campaign.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    """Every line the loader reports, each prefixed with the file as the CLI shows it."""
    with pytest.raises(ConfigError) as info:
        load_campaign(path)
    assert info.value.path == path.resolve()
    lines = str(info.value).splitlines()
    assert lines and all(line.startswith(f"{path.resolve()}: ") for line in lines)
    return lines


# --- the sample ------------------------------------------------------------------------------


def test_sample_loads_with_both_languages_and_four_recipients(campaign):
    assert campaign.languages == ["en", "fr"]
    assert campaign.campaign.templates_dir == "../templates"
    assert campaign.templates_path == TEMPLATES.resolve()
    assert [r.id for r in campaign.recipients] == ["pm", "ircc", "foreign-affairs", "un-ohchr"]
    # MPs (the PM and ministers) get mail free of postage; Geneva needs a stamp.
    assert {r.id: r.postage_free for r in campaign.recipients} == {
        "pm": True,
        "ircc": True,
        "foreign-affairs": True,
        "un-ohchr": False,
    }
    assert campaign.printer.connection == "file"
    assert "REPLACE-ME" in campaign.donation.url


def test_sample_addresses_by_office(campaign):
    ottawa = {"pm": "K1A 0A2", "ircc": "K1A 0A6", "foreign-affairs": "K1A 0A6"}
    for r in campaign.recipients:
        for lang in campaign.languages:
            lines = r.address.get(lang)
            if r.id in ottawa:
                assert ottawa[r.id] in lines[-1]
            else:
                assert lines[-1] in ("SWITZERLAND", "SUISSE")
        assert r.salutation.get("en").startswith("Dear ")
        # No holder's civility title, which would go stale (and be wrong half the time).
        assert not re.search(r"\b(Madame|Monsieur|Mr|Ms|Mrs)\b", r.salutation.get("fr"))


def test_sample_has_at_least_two_starting_texts_within_the_body_bounds(campaign):
    from kiosk.compose import starting_text
    from kiosk.domain.text_rules import body_length

    assert len(campaign.starting_texts) >= 2
    bounds = campaign.session
    for lang in campaign.languages:
        for t in campaign.starting_texts:
            body = starting_text(campaign, t.id, lang)
            assert bounds.body_min_chars <= body_length(body) <= bounds.body_max_chars
        assert len(campaign.talking_points.get(lang)) >= 3


def test_starting_texts_use_no_recipient_variables(campaign):
    """Bodies are rendered once per visitor and sent to every recipient they chose."""
    from jinja2 import Environment, meta

    env = Environment()
    for lang in campaign.languages:
        for t in campaign.starting_texts:
            path = TEMPLATES / "letters" / lang / f"{t.template}.txt.j2"
            names = meta.find_undeclared_variables(env.parse(path.read_text(encoding="utf-8")))
            assert names <= {"campaign", "language"}, (path, names)


def _french_texts(campaign) -> list[str]:
    from kiosk.compose import starting_text

    texts = [starting_text(campaign, t.id, "fr") for t in campaign.starting_texts]
    texts += campaign.talking_points.get("fr")
    c = campaign.campaign
    texts += [c.title.get("fr"), c.pitch.get("fr"), c.urgency.get("fr")]
    texts += [campaign.donation.caption.get("fr"), campaign.letter.closing.get("fr")]
    texts += [campaign.letter.email_subject.get("fr")]
    for r in campaign.recipients:
        texts += [r.name.get("fr"), r.office.get("fr"), r.salutation.get("fr"),
                  *r.address.get("fr")]
    return texts


def test_sample_french_typography(campaign):
    for text in _french_texts(campaign):
        assert "'" not in text, text  # the apostrophe is ’
        # A no-break space before : ; ! ? » and after «, never an ordinary one or none.
        assert not re.search(r"[^\u00a0\u202f][:;!?»]", text), text
        assert not re.search(r"«[^\u00a0\u202f]", text), text


def test_sample_check_config_warnings(campaign):
    warnings = campaign_warnings(campaign)
    assert any(w.startswith("donation.url:") and "REPLACE-ME" in w for w in warnings)


# --- one test per kind of mistake ----------------------------------------------------------


def test_missing_key(tmp_path):
    path = variant(tmp_path, 'sender_address = "letters@example.org"\n', "")
    assert problems(path) == [f"{path}: email.sender_address: missing; this key is required"]


def test_missing_section(tmp_path):
    text = sample_text()
    start = text.index("[letter]")
    end = text.index("[[recipients]]")
    path = tmp_path / "campaign.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert problems(path) == [f"{path}: letter: missing; this key is required"]


def test_wrong_type_whole_number(tmp_path):
    path = variant(tmp_path, "idle_timeout_seconds = 90", 'idle_timeout_seconds = "ninety"')
    assert problems(path) == [
        f'{path}: session.idle_timeout_seconds: must be a whole number, not "ninety"'
    ]


def test_wrong_type_list(tmp_path):
    path = variant(tmp_path, 'languages = ["en", "fr"]', 'languages = "en"')
    (line,) = problems(path)
    assert "campaign.languages: must be a list" in line and 'not "en"' in line


def test_wrong_type_text_for_each_language(tmp_path):
    text = sample_text()
    start = text.index("urgency.en =")
    end = text.index("\n", text.index("urgency.fr =")) + 1
    path = tmp_path / "campaign.toml"
    path.write_text(text[:start] + 'urgency = "Now"\n' + text[end:], encoding="utf-8")
    assert problems(path) == [
        f'{path}: campaign.urgency: needs one text per language, e.g. urgency.en = "..." and '
        'urgency.fr = "...", not "Now"'
    ]


def test_number_out_of_range(tmp_path):
    path = variant(tmp_path, "idle_timeout_seconds = 90", "idle_timeout_seconds = 5")
    assert problems(path) == [f"{path}: session.idle_timeout_seconds: must be at least 15, not 5"]


def test_bad_email(tmp_path):
    path = variant(
        tmp_path,
        'email = "minister.foreign.affairs@international.gc.ca"',
        'email = "minister.foreign.affairs at international.gc.ca"',
    )
    assert problems(path) == [f"{path}: recipients[2].email: not an email address"]


def test_value_not_among_the_choices(tmp_path):
    path = variant(tmp_path, 'connection = "file"', 'connection = "bluetooth"')
    assert problems(path) == [
        f"{path}: printer.connection: must be one of 'network', 'usb', 'serial', 'file' or "
        "'cups', not \"bluetooth\""
    ]


def test_id_with_forbidden_characters(tmp_path):
    path = variant(tmp_path, 'id = "ircc"', 'id = "IRCC!"')
    assert problems(path) == [
        f'{path}: recipients[1].id: "IRCC!" is not allowed here; use lower-case letters a-z, '
        "digits, - and _ (at most 64)"
    ]


def test_unknown_template(tmp_path):
    path = variant(tmp_path, 'template = "short"', 'template = "shortt"')
    lines = problems(path)
    assert len(lines) == 2  # one per language
    for lang, line in zip(("en", "fr"), lines, strict=True):
        assert line.startswith(f"{path}: starting_texts[2].template: no template file ")
        assert str(TEMPLATES / "letters" / lang / "shortt.txt.j2") in line
        assert line.endswith(f"templates available in {lang}: accountability, asylum, short")


def test_missing_language_text(tmp_path):
    path = variant(
        tmp_path,
        'salutation.fr = "Bonjour,"\naddress.en = ["Minister of Foreign Affairs"',
        'address.en = ["Minister of Foreign Affairs"',
    )
    assert problems(path) == [
        f"{path}: recipients[2].salutation.fr: missing French (fr) text; every language in "
        "campaign.languages (en, fr) needs one"
    ]


def test_missing_language_list(tmp_path):
    text = sample_text()
    start = text.index('fr = [\n  "Depuis 2017')
    end = text.index("]\n", start) + 2
    path = tmp_path / "campaign.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    (line,) = problems(path)
    assert line.startswith(f"{path}: talking_points.fr: missing French (fr) text")


def test_unknown_key_suggests_the_right_one(tmp_path):
    path = variant(tmp_path, "thanks_seconds = 30", "thanks_secs = 30")
    assert problems(path) == [
        f"{path}: session.thanks_secs: unknown key; did you mean thanks_seconds? allowed here: "
        "idle_timeout_seconds, idle_countdown_seconds, thanks_seconds, body_min_chars, "
        "body_max_chars"
    ]


def test_unknown_section(tmp_path):
    path = variant(tmp_path, "[staff]", "[staf]")
    (line,) = problems(path)
    assert line.startswith(f"{path}: staf: unknown key; did you mean staff? allowed here: ")
    assert "campaign, donation, session, letter, recipients" in line


def test_duplicate_recipient_id(tmp_path):
    path = variant(tmp_path, 'id = "ircc"', 'id = "pm"')
    assert problems(path) == [
        f'{path}: recipients[1].id: "pm" is already used by recipients[0]; '
        "every id must be different"
    ]


def test_duplicate_starting_text_id(tmp_path):
    path = variant(tmp_path, 'id = "short"', 'id = "asylum"')
    assert problems(path) == [
        f'{path}: starting_texts[2].id: "asylum" is already used by starting_texts[0]; '
        "every id must be different"
    ]


def test_invalid_toml_names_the_line(tmp_path):
    path = variant(tmp_path, 'id = "ircc"', 'id = "ircc')
    (line,) = problems(path)
    number = sample_text().splitlines().index('id = "ircc"') + 1
    assert line.startswith(f"{path}: line {number}: not valid TOML: ")
    assert 'the line reads: id = "ircc;' in line
    assert line.endswith("check its quotes, brackets and = sign")


def test_default_language_not_offered(tmp_path):
    path = variant(tmp_path, 'languages = ["en", "fr"]', 'languages = ["fr"]')
    assert problems(path) == [
        f"{path}: campaign.default_language: 'en' must be one of languages ['fr']"
    ]


def test_language_not_supported(tmp_path):
    path = variant(tmp_path, 'languages = ["en", "fr"]', 'languages = ["en", "de"]')
    assert problems(path) == [
        f"{path}: campaign.languages[1]: must be one of 'en' or 'fr' (the languages the kiosk "
        "has catalogs for), not \"de\"; a campaign can bring a language's catalogs in i18n/de/ "
        'in its templates folder (docs/campaign.md, "Adding a language")'
    ]


def test_language_code_of_the_wrong_shape(tmp_path):
    path = variant(tmp_path, 'languages = ["en", "fr"]', 'languages = ["en", "Deutsch"]')
    (line,) = problems(path)
    assert "campaign.languages[1]: must be one of 'en' or 'fr'" in line
    assert 'not "Deutsch"' in line and "2 or 3 lower-case letters" in line


def test_text_in_a_language_without_catalogs(tmp_path):
    path = variant(tmp_path, 'urgency.en = "', 'urgency.de = "Jetzt."\nurgency.en = "')
    assert problems(path) == [
        f"{path}: campaign.urgency.de: unknown key; allowed here: en, fr (the languages the "
        "kiosk has catalogs for)"
    ]


def test_bad_subject_template_lists_the_variables(tmp_path):
    path = variant(
        tmp_path,
        'email_subject.en = "Protect',
        'email_subject.en = "{{ recipient.title }} Protect',
    )
    (line,) = problems(path)
    assert line.startswith(f"{path}: letter.email_subject.en: template for en does not render")
    assert "{{ recipient.name }}, {{ recipient.office }}" in line


def test_templates_folder_missing(tmp_path):
    text = sample_text().replace(str(TEMPLATES), str(tmp_path / "nowhere"))
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    (line,) = problems(path)
    assert line.startswith(f"{path}: campaign.templates_dir: no folder {tmp_path / 'nowhere'}")


def test_every_problem_is_reported_at_once(tmp_path):
    text = sample_text()
    text = text.replace("thanks_seconds = 30", "thanks_seconds = 2")
    text = text.replace('email = "pm@pm.gc.ca"', 'email = "pm"')
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    lines = problems(path)
    assert len(lines) == 2
    assert any("session.thanks_seconds: must be at least 5" in x for x in lines)
    assert any("recipients[0].email: not an email address" in x for x in lines)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    assert problems(path) == [f"{path}: file not found"]


def test_not_utf8(tmp_path):
    path = tmp_path / "campaign.toml"
    path.write_bytes(sample_text().encode("latin-1", errors="replace"))
    (line,) = problems(path)
    assert line.startswith(f"{path}: not UTF-8 text (line 16 has the byte 0xC9")
    assert line.endswith("; save the file as UTF-8")


# --- the command line ----------------------------------------------------------------------


def check_config(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "check-config", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_cli_sample_is_ok_and_warns_about_the_placeholder():
    done = check_config(str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert f"{SAMPLE}: OK (4 recipients" in done.stdout
    assert f"warning: {SAMPLE}: donation.url: still the sample placeholder" in done.stderr
    assert "REPLACE-ME" in done.stderr


def test_cli_broken_file_exits_2_with_the_message(tmp_path):
    path = variant(tmp_path, 'email = "ohchr-registry@un.org"', 'email = "ohchr-registry"')
    done = check_config(str(path))
    assert done.returncode == 2
    assert f"{path}: recipients[3].email: not an email address" in done.stderr
    assert "OK" not in done.stdout


def test_docs_describe_every_key():
    """docs/campaign.md is the staff reference: a key the loader accepts must be in it."""
    from pydantic import BaseModel

    from kiosk.config import Campaign

    docs = (ROOT / "docs" / "campaign.md").read_text(encoding="utf-8")

    def models(annotation) -> list[type[BaseModel]]:
        import typing

        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for arg in typing.get_args(annotation) for m in models(arg)]

    missing, todo, seen = [], [Campaign], set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            if name == "source":
                continue
            if not any(f"`{form}`" in docs for form in (name, f"[{name}]", f"[[{name}]]")):
                missing.append(f"{model.__name__}.{name}")
            todo += models(field.annotation)
    assert missing == []


# --- the office printer (issue 13) -----------------------------------------------------------


@pytest.mark.parametrize(("section", "expected"), [
    ('enabled = true', "office_printer.enabled: enabled = true needs queue"),
    ('enabled = true\nqueue = "office printer"',
     "office_printer.queue: CUPS queue names cannot hold ' '"),
    ('enabled = true\nqueue = "a/b#c"', "cannot hold '#', '/'"),
    ('enabled = true\nqueue = "office"\nserver = "ipp://printhost:631"',
     "office_printer.server: a host name or host:port only"),
    ('enabled = true\nqueue = "office"\nserver = "host name"', "office_printer.server"),
    ('enabled = true\nqueue = "office"\npaper = "legal"', "office_printer.paper"),
    ('enabled = true\nqueue = "office"\nautomatic = 2', "office_printer.automatic"),
    ('enabled = true\nqueue = "office"\nreturn_address.en = ["Here"]',
     "office_printer.return_address.fr: missing French (fr) text"),
    ('enabled = true\nqueue = "office"\ncolour = true', "office_printer.colour"),
])
def test_office_printer_mistakes_name_the_key(tmp_path, section, expected):
    path = tmp_path / "campaign.toml"
    path.write_text(sample_text() + "\n[office_printer]\n" + section + "\n", encoding="utf-8")
    found = problems(path)
    assert any(expected in line for line in found), found


def test_office_printer_mistake_exits_2_from_the_command_line(tmp_path):
    path = tmp_path / "campaign.toml"
    path.write_text(sample_text() + '\n[office_printer]\nenabled = true\nqueue = "a b"\n',
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kiosk", "check-config", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "office_printer.queue" in done.stderr
    assert "Traceback" not in done.stderr
