import pytest
from django.core.exceptions import ValidationError

from references.citations import Numbering, extract_keys, format_marker
from references.models import Reference
from tests.helpers import ReferenceFactory


def test_extract_keys_reads_single_and_grouped_markers_in_order():
    text = "First [@acp-lbp-2017] then [@fda_baclofen; @acp-lbp-2017] and [ @a ; @b2 ]."

    assert extract_keys(text) == ["acp-lbp-2017", "fda_baclofen", "acp-lbp-2017", "a", "b2"]


@pytest.mark.parametrize(
    "text",
    ["no citations here", "an email@example.org", "[@]", "[@ key]", "[@-leading-hyphen]", "[see @key]", "[@key"],
)
def test_extract_keys_ignores_text_that_is_not_a_marker(text):
    assert extract_keys(text) == []


def test_numbering_follows_first_appearance_and_counts_occurrences():
    numbering = Numbering()

    numbering.see("[@b; @a]")
    numbering.see("[@a] [@c] [@b]")

    assert numbering.numbers == {"b": 1, "a": 2, "c": 3}
    assert numbering.occurrences == {"b": 2, "a": 2, "c": 1}
    assert numbering.keys == ["b", "a", "c"]


def test_format_marker_round_trips():
    assert extract_keys(format_marker(["x", "y-2"])) == ["x", "y-2"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("10.7326/M16-2367", "10.7326/M16-2367"),
        ("https://doi.org/10.1136/bmj.n1446", "10.1136/bmj.n1446"),
        ("doi: 10.1016/j.annemergmed.2019.03.038", "10.1016/j.annemergmed.2019.03.038"),
    ],
)
def test_valid_doi_is_stored_bare(given, stored):
    ref = ReferenceFactory.build(doi=given)

    ref.full_clean()

    assert ref.doi == stored
    assert ref.doi_url == f"https://doi.org/{stored}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "doi", ["10.12/too-short-registrant", "11.1000/xyz", "10.1000/has space", "javascript:alert(1)"]
)
def test_invalid_doi_is_refused_with_a_clear_message(doi):
    ref = ReferenceFactory.build(doi=doi)

    with pytest.raises(ValidationError) as excinfo:
        ref.full_clean()

    assert "is not a DOI" in excinfo.value.message_dict["doi"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "ok"),
    [("28192789", True), ("PMID: 28192789", True), ("0123", False), ("12a45", False), ("1234567890", False)],
)
def test_pmid_is_validated(given, ok):
    ref = ReferenceFactory.build(pmid=given)

    if ok:
        ref.full_clean()
        assert ref.pmid == "28192789"
        assert ref.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/28192789/"
    else:
        with pytest.raises(ValidationError) as excinfo:
            ref.full_clean()
        assert "is not a PubMed ID" in excinfo.value.message_dict["pmid"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["has space", "-starts-with-hyphen", "semi;colon", "ünïcode"])
def test_reference_key_must_be_citable(key):
    with pytest.raises(ValidationError) as excinfo:
        ReferenceFactory.build(key=key).full_clean()

    assert "key" in excinfo.value.message_dict


@pytest.mark.django_db
def test_the_same_doi_cannot_be_entered_twice_in_different_case():
    ReferenceFactory(doi="10.1136/bmj.n1446")

    with pytest.raises(ValidationError) as excinfo:
        ReferenceFactory.build(doi="10.1136/BMJ.N1446").full_clean()

    assert "DOI" in str(excinfo.value)


def test_kind_labels_are_the_ones_readers_see():
    assert Reference.Kind.GUIDELINE.label == "Guideline"
    assert Reference.Kind.RESEARCH.label == "Research"
