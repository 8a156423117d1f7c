"""Letters from templates.

Templates are the organiser's; the visitor's words are data. Visitor text is only ever passed in as
a variable, never compiled, so ``{{ 7*7 }}`` typed at the kiosk prints as typed. Campaign files
travel between organisations, so templates run in a bounded sandbox (kiosk/template_sandbox.py):
no render can take more than a couple of seconds or make more than a letter's worth of text.

``template_problems`` dry-renders every template of a campaign, in every language (subjects for
every recipient), when the campaign is loaded; the compiled templates are kept with the campaign,
so a running kiosk uses exactly what the check approved, even if a file changes on disk later.
"""

from __future__ import annotations

import traceback
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.config import Campaign
    from kiosk.template_sandbox import BoundedEnvironment, Limits

MAX_TEMPLATE_BYTES = 64 * 1024  # a letter template is a page or two; this is thirty
SUBJECT_MAX_CHARS = 500
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")  # controls, format and unassigned characters
# At load a render gets a quarter of the time it gets at run time: a template that is slow on a
# quiet machine is refused, rather than failing on a busy one in front of a visitor.
_CHECK_SHARE_OF_TIME = 0.25

SUBJECT_VARIABLES = ("{{ recipient.name }}, {{ recipient.office }}, {{ campaign.title }}, "
                     "{{ campaign.pitch }} and {{ language }}")


class TemplateProblem(Exception):
    pass


_compiled: Any = None


def _compiled_code() -> Any:
    """Compiled templates shared by every campaign loaded in this process, keyed by name and
    checked against the source (a campaign loaded again, as check-config and the tests do, is
    not compiled again)."""
    global _compiled
    if _compiled is None:
        from jinja2 import BytecodeCache

        class _InMemory(BytecodeCache):
            def __init__(self) -> None:
                self.codes: dict[str, bytes] = {}

            def load_bytecode(self, bucket: Any) -> None:
                if (code := self.codes.get(bucket.key)) is not None:
                    bucket.bytecode_from_string(code)

            def dump_bytecode(self, bucket: Any) -> None:
                self.codes[bucket.key] = bucket.bytecode_to_string()

        _compiled = _InMemory()
    return _compiled


class _CampaignTemplates:
    """One campaign's bounded environment and compiled subjects, kept with the campaign."""

    def __init__(self, templates_path: Path):
        from jinja2 import FunctionLoader, StrictUndefined

        from kiosk.template_sandbox import BoundedEnvironment

        self.path = templates_path
        self.env: BoundedEnvironment = BoundedEnvironment(
            bytecode_cache=_compiled_code(),
            loader=FunctionLoader(self._source),
            undefined=StrictUndefined,
            autoescape=False,  # plain-text letters: no HTML
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # what was checked is what is used
            cache_size=-1,
        )
        self.subjects: dict[str, Any] = {}

    def _source(self, name: str) -> tuple[str, str, Any]:
        from jinja2 import TemplateNotFound

        from kiosk.config.reading import UnreadableFile, read_text_file

        path = self.path / name
        try:
            text = read_text_file(path, MAX_TEMPLATE_BYTES)
        except UnreadableFile as e:
            if e.missing:
                raise TemplateNotFound(name) from None
            raise
        return text, str(path), lambda: True

    def subject(self, lang: str, source: str) -> Any:
        if lang not in self.subjects:
            self.subjects[lang] = self.env.from_string(source)
        return self.subjects[lang]


def _templates(campaign: Campaign) -> _CampaignTemplates:
    held: _CampaignTemplates | None = campaign._templates
    if held is None or held.path != campaign.templates_path:
        held = _CampaignTemplates(campaign.templates_path)
        campaign._templates = held
    return held


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


def _recipient_ctx(recipient: Any, lang: str) -> dict[str, str]:
    return {
        "name": recipient.name.get(lang),
        "office": recipient.office.get(lang),
    }


def _render(held: _CampaignTemplates, template: Any, context: dict[str, Any],
            limits: Limits | None = None) -> str:
    try:
        return held.env.render(template, context, limits)
    except Exception as e:
        raise TemplateProblem(_why(e, template)) from e


def starting_text(campaign: Campaign, text_id: str, lang: str) -> str:
    """The body a visitor starts from when they pick a starting text."""
    held = _templates(campaign)
    stem = campaign.starting_text(text_id).template
    template = held.env.get_template(template_name(lang, stem))
    return _render(held, template, _context(campaign, lang)).strip()


def email_subject(campaign: Campaign, recipient_id: str, lang: str) -> str:
    held = _templates(campaign)
    template = held.subject(lang, campaign.letter.email_subject.get(lang))
    recipient = _recipient_ctx(campaign.recipient(recipient_id), lang)
    context = {**_context(campaign, lang), "recipient": recipient}
    text = _render(held, template, context, replace(held.env.limits, max_chars=SUBJECT_MAX_CHARS))
    # A subject is one line: whatever a template produces is folded onto one, and characters
    # that have no business in a header (NUL, ESC, direction overrides) are dropped.
    folded = " ".join(text.split())
    return "".join(ch for ch in folded if unicodedata.category(ch) not in _INVISIBLE).strip()


# --- the check at load ----------------------------------------------------------------------


def _line_of(e: BaseException, filename: str | None) -> int | None:
    from jinja2 import TemplateSyntaxError

    if isinstance(e, TemplateSyntaxError):
        return e.lineno
    if filename:
        for frame in reversed(traceback.extract_tb(e.__traceback__)):
            if frame.filename == filename:
                return frame.lineno
    return None


def _why(e: BaseException, template: Any = None) -> str:
    """What went wrong, in words, for someone who wrote the template, not the kiosk."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    from kiosk.template_sandbox import TemplateLimit

    if isinstance(e, TemplateLimit):
        return f"asks for more than a letter needs: it {e}"
    if isinstance(e, TemplateSyntaxError):
        return f"syntax error: {e.message}"
    if isinstance(e, UndefinedError):
        return f"uses something that does not exist: {e}"
    if isinstance(e, SecurityError):
        return f"not allowed: {e}"
    if isinstance(e, RecursionError):
        return "nested too deeply for the kiosk to read"
    if isinstance(e, MemoryError):
        return "needs more memory than the kiosk has"
    return f"stops with an error: {e}"


def _check_limits(held: _CampaignTemplates, max_chars: int | None = None) -> Limits:
    limits = held.env.limits
    return replace(limits, seconds=limits.seconds * _CHECK_SHARE_OF_TIME,
                   max_chars=max_chars or limits.max_chars)


def _letter_problem(campaign: Campaign, held: _CampaignTemplates, lang: str,
                    stem: str) -> str | None:
    from jinja2 import TemplateNotFound

    from kiosk.config.reading import UnreadableFile

    name = template_name(lang, stem)
    where = campaign.templates_path / name
    try:
        template = held.env.get_template(name)
    except TemplateNotFound:
        stems = sorted(p.name.removesuffix(".txt.j2")
                       for p in (campaign.templates_path / "letters" / lang).glob("*.txt.j2"))
        return (f"no template file {where} for language {lang}; templates available in "
                f"{lang}: {', '.join(stems) if stems else 'none'}")
    except UnreadableFile as e:
        return f"{where}: {e.reason}"
    except Exception as e:  # a template that cannot be compiled, whatever the reason
        line = _line_of(e, str(where))
        return f"{where}{f', line {line}' if line else ''}: {_why(e)}"
    try:
        held.env.render(template, _context(campaign, lang), _check_limits(held))
    except Exception as e:  # the organiser's code, run here so that it never fails later
        line = _line_of(e, template.filename)
        return f"{where}{f', line {line}' if line else ''}: {_why(e)}"
    return None


def _subject_problem(campaign: Campaign, held: _CampaignTemplates, lang: str) -> str | None:
    try:
        template = held.subject(lang, campaign.letter.email_subject.get(lang))
    except Exception as e:
        return f"template for {lang} does not compile: {_why(e)}"
    for i, r in enumerate(campaign.recipients):
        context = {**_context(campaign, lang), "recipient": _recipient_ctx(r, lang)}
        try:
            held.env.render(template, context, _check_limits(held, SUBJECT_MAX_CHARS))
        except Exception as e:
            return (f"template for {lang} does not render for recipients[{i}] ({r.id}): "
                    f"{_why(e)}")
    return None


def template_problems(campaign: Campaign) -> list[str]:
    """Every letter template and subject, dry-rendered in every language the campaign offers;
    one line per problem, naming the key, the file and the line."""
    held = _templates(campaign)
    problems = []
    for i, t in enumerate(campaign.starting_texts):
        for lang in campaign.campaign.languages:
            if (problem := _letter_problem(campaign, held, lang, t.template)) is not None:
                problems.append(f"starting_texts[{i}].template: {problem}")
    for lang in campaign.campaign.languages:
        if (problem := _subject_problem(campaign, held, lang)) is not None:
            problems.append(f"letter.email_subject.{lang}: {problem}; a subject may use "
                            f"{SUBJECT_VARIABLES}")
    return problems
