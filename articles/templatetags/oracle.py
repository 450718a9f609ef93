from django import template

register = template.Library()


@register.filter
def person(user, default="the system"):
    """A user as staff pages name them: board profile name, full name or username; `default` for None."""
    if user is None:
        return default
    member = getattr(user, "board_member", None) if hasattr(user, "_state") else None
    if member is not None:
        return member.display_name
    return user.get_full_name() or user.get_username()
