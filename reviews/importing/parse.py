"""Parsing answer pages captured as text from the previous site (see docs in README).

Pure functions: nothing here touches the database. `articles.publishing.import_pages` writes what
these return, all files in one transaction.
"""

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from core.text import clean_text
from references.models import Reference


class PageFormatError(Exception):
    """A page that cannot be imported; the message names the file and, where known, the line."""

    def __init__(self, path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class ParsedText:
    text: str
    citations: list[int]
    line: int


@dataclass
class ParsedSection:
    heading: str
    line: int
    claims: list[ParsedText] = field(default_factory=list)


@dataclass
class ParsedReference:
    number: int
    kind: str
    title: str
    source: str
    year: int
    line: int


@dataclass
class ParsedPage:
    path: str
    question: str
    last_updated: date | None
    summary_heading: str
    summary: ParsedText
    sections: list[ParsedSection]
    references: list[ParsedReference]

    def citations(self):
        """(number, line) for every citation on the page, in reading order."""
        for text in [self.summary] + [claim for section in self.sections for claim in section.claims]:
            for number in text.citations:
                yield number, text.line

    def missing_references(self) -> dict[int, list[int]]:
        """Cited numbers with no entry in the reference list → the lines citing them."""
        listed = {ref.number for ref in self.references}
        missing: dict[int, list[int]] = {}
        for number, line in self.citations():
            if number not in listed:
                lines = missing.setdefault(number, [])
                if line not in lines:
                    lines.append(line)
        return dict(sorted(missing.items()))


# The previous site's page furniture: not content, never imported.
HEADER_LINES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Medical Advisory Board",
        r"^Educational purpose only",
        r"^Article Review Status$",
        r"^Submitted$",
        r"^Under Review$",
        r"^Approved$",
        r"^Personali[sz]e$",
        r"^Help us tailor your experience$",
        r"^Which best describes you\?",
        r"^View editorial policy$",
    )
]
LAST_UPDATED = re.compile(r"^Last updated:\s*(?P<date>.+?)\s*(?:View editorial policy)?$", re.IGNORECASE)
REFERENCES_HEADING = re.compile(r"^References$", re.IGNORECASE)
FOOTER_START = re.compile(r"^(Professional Medical Disclaimer|Have a follow-up question\?)$", re.IGNORECASE)
BULLET = re.compile(r"^[•●▪]\s*(?P<text>.*)$")
# Citation numbers are printed as superscripts at the end of a line: "… profiles. 1, 2".
# Up to three digits, so a year at the end of a sentence ("in 2019") is not read as a citation.
TRAILING_CITATIONS = re.compile(r"^(?P<text>.*?\S)\s+(?P<numbers>\d{1,3}(?:\s*,\s*\d{1,3})*)$")
SOURCE_YEAR = re.compile(r"^(?P<source>.*?\S)\s*,\s*(?P<year>\d{4})$")
KIND_LABELS = {str(label).casefold(): value for value, label in Reference.Kind.choices}


def _split_citations(text: str, line: int) -> ParsedText:
    match = TRAILING_CITATIONS.match(text)
    if not match:
        return ParsedText(text=text.strip(), citations=[], line=line)
    numbers = [int(n) for n in re.split(r"\s*,\s*", match.group("numbers"))]
    return ParsedText(text=match.group("text").strip(), citations=numbers, line=line)


def _looks_like_paragraph(text: ParsedText) -> bool:
    return bool(text.citations) or text.text.rstrip().endswith((".", "!", "?", ")", "”", '"'))


def _parse_date(value: str) -> date | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def read_page_text(path, max_bytes: int) -> str:
    """The file's text, refusing what is too large, empty or not UTF-8 before parsing it."""
    path = Path(path)
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise PageFormatError(path, f"cannot read the file ({exc.strerror})") from None
    if size > max_bytes:
        raise PageFormatError(path, f"the file is {size:,} bytes; pages larger than {max_bytes:,} bytes are refused")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PageFormatError(path, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} is invalid)", line) from None
    if not text.strip():
        raise PageFormatError(path, "the file is empty")
    if "\x00" in text:
        raise PageFormatError(
            path, "the file contains NUL bytes; it is not a text page", text[: text.index("\x00")].count("\n") + 1
        )
    return text


def parse_page(path, text: str) -> ParsedPage:
    # Each line without invisible and control characters (core.text), cleaned after splitting so
    # that line numbers in error messages stay those of the file.
    cleaned = ((number, clean_text(raw).strip()) for number, raw in enumerate(text.splitlines(), start=1))
    lines = [(number, line) for number, line in cleaned if line]
    if not lines:
        raise PageFormatError(path, "the file is empty")
    position = 0

    def fail(message, line=None):
        raise PageFormatError(path, message, line)

    # 1. The question: the first line, which must not be page furniture or a bullet.
    q_line, question = lines[0]
    if BULLET.match(question) or any(p.match(question) for p in HEADER_LINES) or LAST_UPDATED.match(question):
        fail("no question: the first line must be the question the page answers", q_line)
    if len(question) > 300:
        fail(f"the question is {len(question)} characters long; at most 300 are allowed", q_line)
    position = 1

    # 2. The header furniture, and the "Last updated" date it carries.
    last_updated = None
    while position < len(lines):
        number, content = lines[position]
        match = LAST_UPDATED.match(content)
        if match:
            last_updated = _parse_date(match.group("date"))
            if last_updated is None:
                fail(f"cannot read the date “{match.group('date')}” (expected e.g. “October 17, 2025”)", number)
        elif not any(p.match(content) for p in HEADER_LINES):
            break
        position += 1

    # 3. The body, up to "References" or the footer: the summary, then headed lists of bullets.
    blocks: list[tuple[int, str, list[tuple[int, str]]]] = []  # (line, text, bullets)
    while position < len(lines):
        number, content = lines[position]
        if REFERENCES_HEADING.match(content) or FOOTER_START.match(content):
            break
        bullet = BULLET.match(content)
        if bullet:
            if not blocks:
                fail("a bullet comes before any section heading", number)
            if not bullet.group("text").strip():
                fail("an empty bullet", number)
            blocks[-1][2].append((number, bullet.group("text").strip()))
        else:
            blocks.append((number, content, []))
        position += 1

    leading = []
    while blocks and not blocks[0][2]:
        leading.append(blocks.pop(0))
    # The last bullet-less line before the first bulleted block is that section's heading,
    # so the summary is what precedes: [heading, paragraph] or [paragraph].
    if len(leading) > 2:
        line, content, _ = leading[2]
        fail(f"the section “{content}” has no bullets", line)
    summary_heading = ""
    if len(leading) == 2:
        summary_heading = leading[0][1]
        summary = _split_citations(leading[1][1], leading[1][0])
    elif len(leading) == 1 and _looks_like_paragraph(_split_citations(leading[0][1], leading[0][0])):
        summary = _split_citations(leading[0][1], leading[0][0])
    else:
        fail(
            "no summary answer: expected the summary paragraph before the first section",
            (leading or blocks or [(q_line,)])[0][0],
        )
    if not summary.text:
        fail("the summary answer is empty", summary.line)

    sections = []
    for line, heading, bullets in blocks:
        if not bullets:
            fail(f"the section “{heading}” has no bullets", line)
        if len(heading) > 200:
            fail("a section heading is longer than 200 characters", line)
        sections.append(ParsedSection(heading=heading, line=line, claims=[_split_citations(t, n) for n, t in bullets]))
    if not sections:
        fail("no sections: expected headings followed by • bullets after the summary", summary.line)

    # 4. The reference list: entries of kind, title, "source, year".
    references = []
    if position < len(lines) and REFERENCES_HEADING.match(lines[position][1]):
        position += 1
        while position < len(lines) and not FOOTER_START.match(lines[position][1]):
            number, kind_label = lines[position]
            kind = KIND_LABELS.get(kind_label.casefold())
            if kind is None:
                fail(
                    f"unparseable reference entry: expected a kind ({', '.join(sorted(str(label) for label in Reference.Kind.labels))}), found “{kind_label}”",
                    number,
                )
            entry = lines[position + 1 : position + 3]
            if len(entry) < 2 or any(FOOTER_START.match(c) or c.casefold() in KIND_LABELS for _, c in entry):
                fail(
                    "unparseable reference entry: expected a title line and a “source, year” line after the kind",
                    number,
                )
            (_, title), (source_line, source_year) = entry
            match = SOURCE_YEAR.match(source_year)
            if not match:
                fail(f"unparseable reference entry: expected “source, year”, found “{source_year}”", source_line)
            if len(title) > 500:
                fail("a reference title is longer than 500 characters", number + 1)
            references.append(
                ParsedReference(
                    number=len(references) + 1,
                    kind=kind,
                    title=title,
                    source=match.group("source"),
                    year=int(match.group("year")),
                    line=number,
                )
            )
            position += 3
    # 5. Whatever follows is the site's disclaimer and follow-up prompt: not content.

    return ParsedPage(
        path=str(path),
        question=question,
        last_updated=last_updated,
        summary_heading=summary_heading,
        summary=summary,
        sections=sections,
        references=references,
    )
