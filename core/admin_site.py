"""The admin app, autodiscovering every installed app's admin module except those listed.

django-tasks-db's `admin.py` registers its task-result model on import (and django-rq's, with
ORACLE_TASKS_BACKEND=rq, its queue statistics). The task rows are
transport only: what staff watch and retry are our effects (`core.models.Effect`, registered in
`oracle/admin.py`). Skipping that one module keeps the rule that every model is registered once,
in one place, without unregistering anything.
"""

from django.apps import apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import import_module, module_has_submodule

NOT_DISCOVERED = {"django_tasks_db", "django_rq"}


class AdminConfig(SimpleAdminConfig):
    """django.contrib.admin's AdminConfig, with `autodiscover` skipping NOT_DISCOVERED."""

    def ready(self):
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name in NOT_DISCOVERED or not module_has_submodule(app_config.module, "admin"):
                continue
            import_module(f"{app_config.name}.admin")
