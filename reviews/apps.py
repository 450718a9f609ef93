from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from core import people
        from reviews import signals  # noqa: F401  (connects cache invalidation)

        # Board members are named by their public profile wherever a person is named.
        people.register_profile("board_member", lambda member: member.display_name)
