from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API clients and tokens"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles.provenance import register_revision_clients

        register_revision_clients(revision_clients)


def revision_clients(revision_ids: list[int]) -> dict[int, dict]:
    """Which API client wrote each of these revisions, as it declared itself then (one query)."""
    from api.models import ApiRevision

    rows = ApiRevision.objects.filter(revision_id__in=revision_ids).values_list(
        "revision_id", "client_kind", "client_name", "system_name"
    )
    return {rid: {"kind": kind, "client": name, "system": system} for rid, kind, name, system in rows}
