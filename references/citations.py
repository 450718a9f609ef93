"""The citation syntax: `[@key]` or `[@a; @b]` markers inside Markdown text.

Markers are numbered in order of first appearance across everything a numbering sees (the
summary, then each section's claims in order), and the reference list is exactly the cited keys in
that order.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from references.models import KEY_PATTERN

_KEY = rf"@({KEY_PATTERN})"
# One marker: "[" then one or more @keys separated by ";" (or ","), then "]".
MARKER_RE = re.compile(rf"\[\s*@{KEY_PATTERN}(?:\s*[;,]\s*@{KEY_PATTERN})*\s*\]")
KEY_RE = re.compile(_KEY)


def keys_in_marker(marker: str) -> list[str]:
    return KEY_RE.findall(marker)


def extract_keys(text: str) -> list[str]:
    """Every key cited in `text`, in order, repeats included."""
    return [key for marker in MARKER_RE.findall(text or "") for key in keys_in_marker(marker)]


def format_marker(keys: list[str]) -> str:
    return "[" + "; ".join(f"@{key}" for key in keys) + "]"


@dataclass
class Numbering:
    """Assigns 1, 2, 3… to keys by first appearance and counts each key's occurrences."""

    numbers: dict[str, int] = field(default_factory=dict)
    occurrences: Counter = field(default_factory=Counter)

    def cite(self, key: str) -> tuple[int, int]:
        """Record one citation of `key`; return (its number, which occurrence this is)."""
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        self.occurrences[key] += 1
        return number, self.occurrences[key]

    def see(self, text: str) -> None:
        for key in extract_keys(text):
            self.cite(key)

    @property
    def keys(self) -> list[str]:
        return list(self.numbers)


@dataclass(frozen=True)
class CitationProblem:
    """A citation that cannot be resolved: where it is, which key, and why."""

    field: str
    key: str
    message: str

    def __str__(self):
        return f"{self.field}: {self.message}"
