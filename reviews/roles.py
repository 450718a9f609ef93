"""The editorial roles and the permissions each holds. Applied by a data migration."""

EDITORS = "Editors"
BOARD = "Medical Advisory Board"

_CONTENT = [
    "articles.add_article", "articles.change_article", "articles.view_article",
    "articles.add_section", "articles.change_section", "articles.delete_section", "articles.view_section",
    "articles.add_claim", "articles.change_claim", "articles.delete_claim", "articles.view_claim",
    "articles.view_publication",
    "references.add_reference", "references.change_reference", "references.view_reference",
]

ROLE_PERMISSIONS = {
    EDITORS: _CONTENT,
    BOARD: _CONTENT,
}
