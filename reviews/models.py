# The review workflow (Review, ReviewTransition) arrives with the review-workflow issue.
# Until then this app owns the editorial groups (see migrations/0001_groups.py) and the demo setup.
