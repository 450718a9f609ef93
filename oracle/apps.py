from django.apps import AppConfig


class OracleConfig(AppConfig):
    """The site itself, the top of the graph: settings, URLs, error pages, and the admin's registry
    (`oracle/admin.py`), the one place each model is registered."""

    name = "oracle"
    verbose_name = "Oracle"
