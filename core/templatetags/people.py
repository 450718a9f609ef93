from django import template

from core.people import display_name

register = template.Library()


@register.filter
def person(user, default="the system"):
    """A user as staff pages name them (core.people.display_name); `default` for no one."""
    return display_name(user, default=default)
