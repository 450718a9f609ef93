"""The editorial roles and exactly the permissions each holds. Applied by a data migration."""

EDITORS = "Editors"
BOARD = "Medical Advisory Board"

_READ = [
    "articles.view_article", "articles.view_section", "articles.view_claim", "articles.view_publication",
    "references.view_reference",
    "reviews.view_review", "reviews.view_reviewtransition", "reviews.view_reviewapproval", "reviews.view_boardmember",
]
_WRITE_CONTENT = [
    "articles.add_article", "articles.change_article",
    "articles.add_section", "articles.change_section", "articles.delete_section",
    "articles.add_claim", "articles.change_claim", "articles.delete_claim",
    "references.add_reference", "references.change_reference",
]

ROLE_PERMISSIONS = {
    # Editors write and submit; they cannot start, request changes on, or approve a review.
    EDITORS: _READ + _WRITE_CONTENT + ["reviews.submit_review"],
    # The board reviews. Members may correct content, but never approve a version they edited.
    BOARD: _READ + _WRITE_CONTENT + ["reviews.start_review", "reviews.request_changes_review", "reviews.approve_review"],
}
