"""Letters from templates.

Templates are the organiser's; the visitor's words are data. Visitor text is only ever passed in as
a variable, never compiled, so ``{{ 7*7 }}`` typed at the kiosk prints as typed. The environment
is sandboxed anyway because campaign files travel between organisations.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from kiosk.config import Campaign


class TemplateProblem(Exception):
    pass


@lru_cache(maxsize=8)
def _environment(templates_path: Path) -> SandboxedEnvironment:
    # Jinja2 is imported here, not at module load, to keep the attract screen's start-up lean.
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_path)),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text letters: no HTML
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_name(lang: str, stem: str) -> str:
    return f"letters/{lang}/{stem}.txt.j2"


def _context(campaign: Campaign, lang: str) -> dict[str, Any]:
    return {
        "campaign": {
            "title": campaign.campaign.title.get(lang),
            "pitch": campaign.campaign.pitch.get(lang),
        },
        "language": lang,
    }


def check_template(
    campaign: Campaign, lang: str, stem: str | None, source: str | None = None
) -> None:
    """Raise TemplateProblem unless the template exists and renders with sample data."""
    from jinja2 import TemplateError, TemplateNotFound

    env = _environment(campaign.templates_path)
    try:
        if source is not None:
            tpl = env.from_string(source)
            sample = campaign.recipients[0]
            tpl.render(**_context(campaign, lang), recipient=_recipient_ctx(sample, lang))
        else:
            assert stem is not None
            env.get_template(template_name(lang, stem)).render(**_context(campaign, lang))
    except TemplateNotFound:
        where = Path(campaign.templates_path) / template_name(lang, stem or "")
        raise TemplateProblem(f"no template file {where} for language {lang}") from None
    except TemplateError as e:
        raise TemplateProblem(f"template for {lang} does not render: {e}") from None


def _recipient_ctx(recipient: Any, lang: str) -> dict[str, str]:
    return {
        "name": recipient.name.get(lang),
        "office": recipient.office.get(lang),
    }


def starting_text(campaign: Campaign, text_id: str, lang: str) -> str:
    """The body a visitor starts from when they pick a starting text."""
    stem = campaign.starting_text(text_id).template
    env = _environment(campaign.templates_path)
    return env.get_template(template_name(lang, stem)).render(**_context(campaign, lang)).strip()


@lru_cache(maxsize=32)
def _subject_template(templates_path: Path, source: str) -> Any:
    # Compiled once per campaign and language, not once per letter kept: compiling is the
    # slow part of rendering (it runs Jinja2's parser and Python's compile()).
    return _environment(templates_path).from_string(source)


def email_subject(campaign: Campaign, recipient_id: str, lang: str) -> str:
    tpl = _subject_template(campaign.templates_path, campaign.letter.email_subject.get(lang))
    recipient = _recipient_ctx(campaign.recipient(recipient_id), lang)
    # A subject is one line: whatever a template produces is folded onto one.
    return " ".join(tpl.render(**_context(campaign, lang), recipient=recipient).split())
