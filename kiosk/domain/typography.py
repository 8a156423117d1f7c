"""Typography for text set on paper: French spacing done right, apostrophes that look like
apostrophes, and no line that begins with a lone "!" or "»".

``typeset(text, lang)`` is pure and idempotent, and leaves text that is already right alone.

Every language: a straight apostrophe between two letters becomes ’ (l'été, don't, O'Neil):
between letters it can only be an apostrophe, never a quotation mark, so this is safe anywhere.

French (the rules of the Imprimerie nationale's Lexique, as Canadian federal style also asks):

- a narrow no-break space (U+202F) before ; ! ? and inside « », where the visitor typed an
  ordinary space or none ("Merci!" and "Merci !" both become "Merci ⁠!");
- a no-break space (U+00A0) before a colon followed by a space or the end of a line;
- a narrow no-break space between a number and the % or currency sign after it ("50 %",
  "20 $", "15 €"), where the visitor typed a space: the sign never starts a line alone;
- a no-break space or narrow no-break space the visitor (or a catalog) already put there is
  kept: both are correct, and the text they approved should not change for nothing.

Left alone on purpose: web and email addresses (a "?" inside one is part of it), times and
ratios ("10:30", "1:2": no space after the colon), emoticons (":-)", ";-)": no space after the
sign), a sign after an opening bracket or quote, and straight double quotes (turning them into
« » would need to know which opens and which closes).

No-break spaces also keep a word and its sign on one line: the PDF library breaks lines at
ordinary spaces only.
"""

from __future__ import annotations

import re

NNBSP = "\u202f"  # narrow no-break space (espace fine insécable)
NBSP = "\u00a0"  # no-break space (espace insécable)

# Web and email addresses, kept exactly as typed.
_PROTECTED = re.compile(r"(?:https?://|www\.)\S+|[^\s@<>«»()]+@[^\s@<>«»()]+\.\w+", re.I)
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
# What a sign may follow to take a space: anything but a space, an opening bracket or quote,
# or another sign ("?!" takes one space, before the "?").
_AFTER = r"(?<=[^\s(\[{«“‘;:!?])"
# What may follow the signs for them to be punctuation rather than part of a token
# (";-)", "?a=1"): the end, a space, a closing bracket or quote, or more punctuation.
_BEFORE = r"(?=$|[\s)\]}»”\"’'.,…;:!?])"
_HIGH_SIGN = re.compile(_AFTER + r"[ \t]*(?=[;!?]+" + _BEFORE + ")", re.M)
_COLON = re.compile(_AFTER + r"[ \t]*(?=:(?:$|\s))", re.M)
_OPEN_QUOTE = re.compile(r"«[ \t]*(?=[^\s])")
_CLOSE_QUOTE = re.compile(r"(?<=[^\s])[ \t]*»")
# A figure, the space typed after it, then % or a currency sign standing alone.
_UNIT = re.compile(r"(?<=\d)[ \t]+(?=[%$€£¢](?:$|[\s)\].,;:!?…]))", re.M)


def typeset(text: str, lang: str) -> str:
    """``text`` as it should be set on paper in ``lang`` (a language code: "en", "fr")."""
    text = _outside_addresses(_APOSTROPHE, "’", text)
    if lang.split("-")[0].lower() != "fr":
        return text
    text = _outside_addresses(_HIGH_SIGN, NNBSP, text)
    text = _outside_addresses(_COLON, NBSP, text)
    text = _outside_addresses(_UNIT, NNBSP, text)
    text = _outside_addresses(_OPEN_QUOTE, "«" + NNBSP, text)
    return _outside_addresses(_CLOSE_QUOTE, NNBSP + "»", text)


def _outside_addresses(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    spans = [m.span() for m in _PROTECTED.finditer(text)]
    if not spans:
        return pattern.sub(replacement, text)

    def inside(at: int) -> bool:
        return any(start <= at < end for start, end in spans)

    def keep(m: re.Match[str]) -> str:
        touched = range(m.start(), max(m.end(), m.start() + 1))
        return m.group(0) if any(inside(at) for at in touched) else replacement

    return pattern.sub(keep, text)
