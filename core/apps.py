from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared base code below every app: records, people's names, admin mixins, client addresses."""

    name = "core"
    verbose_name = "Core"
