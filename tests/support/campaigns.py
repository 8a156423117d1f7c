"""Modified copies of the sample campaign for tests and benchmarks (the sample is never edited).

Copies live in temporary folders, so the sample's relative ``templates_dir`` is made absolute.
Also the campaign objects the email and printing tests start from: email settings that make a
fault cost a fraction of a second (``TEST_EMAIL``), a printer changed (``printer_campaign``).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "assets" / "sample-campaign.toml"
TEMPLATES = ROOT / "templates"
_SAMPLE_TEMPLATES_DIR = 'templates_dir = "../templates"'


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    return str(value)


def sample_text() -> str:
    """The sample, with its templates folder made absolute so a copy elsewhere still finds it."""
    text = SAMPLE.read_text(encoding="utf-8")
    assert _SAMPLE_TEMPLATES_DIR in text
    return text.replace(_SAMPLE_TEMPLATES_DIR, f"templates_dir = {toml_value(str(TEMPLATES))}")


def replace_table(text: str, table: str, settings: dict[str, object]) -> str:
    """Replace the scalar keys of ``[table]``; keys like ``footer.en`` are kept as they are.
    Settings whose value is None are left out."""
    head = f"\n[{table}]\n"
    start = text.index(head) + len(head)
    end = text.index("\n[", start)
    kept = [line for line in text[start:end].splitlines()
            if "." in line.split("=", 1)[0] and not line.lstrip().startswith("#")]
    block = [f"{k} = {toml_value(v)}" for k, v in settings.items() if v is not None] + kept
    return text[:start] + "\n".join(block) + "\n" + text[end:]


def copy_templates(folder: Path, changes: dict[str, str | bytes] | None = None) -> Path:
    """A copy of the sample's templates in ``folder``/templates, with ``changes`` written over
    it: ``{"letters/en/short.txt.j2": "new text"}`` (bytes are written as they are)."""
    import shutil

    dest = folder / "templates"
    shutil.copytree(TEMPLATES, dest)
    for name, content in (changes or {}).items():
        target = dest / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return dest


def write_campaign(path: Path, text: str | None = None, *, printer: dict | None = None,
                   email: dict | None = None, donation_url: str | None = None,
                   templates_dir: Path | None = None, hub: dict | None = None) -> Path:
    """Write a campaign file at ``path`` (a folder gets ``campaign.toml``): ``text`` or the
    sample, with ``[printer]`` / ``[email]``, the donation link and the templates folder
    replaced when given, and a ``[hub]`` added."""
    text = sample_text() if text is None else text
    if templates_dir is not None:
        text = text.replace(f"templates_dir = {toml_value(str(TEMPLATES))}",
                            f"templates_dir = {toml_value(str(templates_dir))}")
    if donation_url:
        text = text.replace('url = "https://example.org/REPLACE-ME/donate"',
                            f"url = {toml_value(donation_url)}")
    if printer is not None:
        text = replace_table(text, "printer", printer)
    if email is not None:
        text = replace_table(text, "email", email)
    if hub is not None:
        text += "\n[hub]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in hub.items())
    if path.suffix != ".toml":
        path.mkdir(parents=True, exist_ok=True)
        path = path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- for the email tests: a campaign mailing the test SMTP server ---------------------------------

# Short everything, so that a fault costs the suite a fraction of a second.
TEST_EMAIL = {
    "enabled": True,
    "sender_address": "letters@example.org",
    "sender_name": "Write for Safe Haven",
    "security": "none",
    "timeout_seconds": 0.5,
    "retry_initial_seconds": 0.05,
    "retry_max_seconds": 0.3,
    "max_per_minute": 1000,
    "hold_for_review": False,
}


def write_mail_campaign(folder: Path, **email: object) -> Path:
    """A copy of the sample campaign with ``[email]`` replaced (``TEST_EMAIL`` and ``email``)
    and templates found absolutely."""
    return write_campaign(folder, email={**TEST_EMAIL, **email})


# --- for the printing tests ---------------------------------------------------------------------


def printer_campaign(campaign, **printer: object):
    """The sample campaign with printer settings changed (models are frozen: copy them)."""
    settings = campaign.printer.model_validate(
        {**campaign.printer.model_dump(), **printer}
    )
    return campaign.model_copy(update={"printer": settings})
