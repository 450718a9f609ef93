"""Validation and normalisation of bibliographic identifiers (DOI, PMID) and titles."""

import re
import unicodedata

DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
# Crossref's recommended pattern for modern DOIs: 10.<registrant>/<suffix>, no whitespace.
DOI_SYNTAX = re.compile(r"^10\.\d{4,9}/[^\s]+$")
PMID_SYNTAX = re.compile(r"^[1-9]\d{0,8}$")


def normalise_doi(value: str) -> str:
    """Return the bare DOI (`10.x/y`) or "" ; raise ValueError with a reader-facing message."""
    value = (value or "").strip()
    if not value:
        return ""
    bare = DOI_PREFIXES.sub("", value).strip()
    if not DOI_SYNTAX.match(bare) or len(bare) > 200:
        raise ValueError(f"“{value}” is not a DOI. A DOI looks like 10.1000/xyz123.")
    return bare


def normalise_pmid(value: str) -> str:
    """Return the PubMed ID as digits or "" ; raise ValueError with a reader-facing message."""
    value = (value or "").strip()
    if not value:
        return ""
    bare = re.sub(r"^(?:PMID:?\s*)", "", value, flags=re.IGNORECASE)
    if not PMID_SYNTAX.match(bare):
        raise ValueError(f"“{value}” is not a PubMed ID. A PMID is a number of up to 9 digits, e.g. 28192789.")
    return bare


def normalise_title(title: str) -> str:
    """Lower-case, accent- and punctuation-free title with single spaces, for deduplication."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())
