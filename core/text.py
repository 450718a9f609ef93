"""Text that people type, made safe to store: invisible and control characters removed.

`clean_text` removes what no reader can see but software acts on — control characters (a search
snippet's highlight marks are \\x02/\\x03), Unicode direction embeddings, overrides and isolates
(which reorder what a title appears to say), zero-width spaces, word joiners, byte-order marks and
invisible tag characters — and keeps what writing needs: tabs and newlines, the left-to-right and
right-to-left marks of mixed-direction text, and the zero-width joiner and non-joiner where they
join letters of scripts that use them (Persian, Arabic, Indic scripts …) or build an emoji sequence.

`TextCleaningModel` applies it to every text field of a model on `clean_fields` (so a form sees the
cleaned value and a title of only invisible characters is "required") and on `save` (so no path in
— admin, API, importer, commands — can bypass it).
"""

import re
import unicodedata

# C0 controls but tab, newline and carriage return; DEL; C1 controls; bidi embeddings, overrides
# (U+202A–U+202E) and isolates (U+2066–U+2069); zero-width space, word joiner, invisible operators,
# deprecated format characters; Mongolian vowel separator; BOM; interlinear annotation marks.
_REMOVED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u180e\u200b\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_JOINERS = re.compile("[\u200c\u200d]")
_TAGS = re.compile("[\U000e0000-\U000e007f]+")
BLACK_FLAG = "\U0001f3f4"  # an emoji tag sequence (a subdivision flag) starts with it


def _joinable(char: str) -> bool:
    """A character a zero-width (non-)joiner may stand next to: a letter or mark of a script past
    Latin, Greek, Cyrillic and Armenian (where joiners shape letters), or part of an emoji."""
    if not char:
        return False
    code, category = ord(char), unicodedata.category(char)
    if category[0] in "LM":
        return code >= 0x0590
    return code >= 0x2000 and category in ("So", "Sk")


def _joiner(match: re.Match) -> str:
    text, at = match.string, match.start()
    before = text[at - 1] if at else ""
    if before == "\ufe0f" and at > 1:  # an emoji's presentation selector: look at the emoji
        before = text[at - 2]
    after = text[at + 1] if at + 1 < len(text) else ""
    return match.group() if _joinable(before) and _joinable(after) else ""


def _tags(match: re.Match) -> str:
    at = match.start()
    return match.group() if at and match.string[at - 1] == BLACK_FLAG else ""


def clean_text(value):
    """`value` without invisible and control characters (see the module); non-strings unchanged."""
    if not isinstance(value, str) or value.isascii() and value.isprintable():
        return value
    value = _REMOVED.sub("", value)
    value = _TAGS.sub(_tags, value)
    return _JOINERS.sub(_joiner, value)


def clean_text_fields(instance) -> None:
    """Clean every text (CharField, TextField and their subclasses) field of a model instance."""
    from django.db import models

    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and field.attname in instance.__dict__:
            value = instance.__dict__[field.attname]
            cleaned = clean_text(value)
            if cleaned is not value and cleaned != value:
                instance.__dict__[field.attname] = cleaned


class TextCleaningModel:
    """A mixin for models people type into: their text fields are cleaned before validation and save."""

    def clean_fields(self, exclude=None):
        clean_text_fields(self)
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        clean_text_fields(self)
        super().save(*args, **kwargs)
