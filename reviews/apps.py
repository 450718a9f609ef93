from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from core import people
        from reviews import signals  # noqa: F401  (connects cache invalidation)

        # Board members are named by their public profile, with credentials, wherever staff see a
        # person named ("Dr. Jane Smith, MD"); readers see the name and the credentials apart
        # (`reviews.services._signature`).
        people.register_profile("board_member", lambda member: member.signature)
        # The answer page (articles) shows the notices the board confirmed but cannot name this
        # app: it asks the providers registered with it.
        from articles import answer_page
        from reviews.models.currency import confirmed_notices

        answer_page.register_source_notices(confirmed_notices)
        # A reader's error report on a claim (articles) is emailed to the board (durable effects).
        from articles import error_reports
        from reviews.notifications import notify_error_reported

        error_reports.on_error_reported(notify_error_reported)
