from django.db import models
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin


class ReferenceAdmin(VersionAdmin):
    """The bibliography. Not registered here: `oracle.admin` registers it with what the apps above
    add (the articles citing a reference, its source events)."""

    list_display = ["key", "kind", "title", "source", "year", "doi", "pmid"]
    list_filter = ["kind", "year"]
    search_fields = ["key", "title", "doi", "pmid", "authors", "source"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["key", "kind", "title", "authors", "source", "year"]}),
        (_("Identifiers"), {"fields": ["doi", "pmid", "url"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
