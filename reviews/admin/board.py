"""The Medical Advisory Board's public profiles."""

from django.contrib import admin


class BoardMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "specialty", "user", "is_listed"]
    list_filter = ["is_listed"]
    search_fields = ["display_name", "user__username", "specialty"]
    autocomplete_fields = ["user"]
