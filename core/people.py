"""How a person is named on staff pages, in emails and in records: one function for all of them.

A user is named by their profile where an app above this one keeps one (the Medical Advisory
Board's public profiles register themselves from `reviews`), else by their full name, else their
username. Code that names many users asks `related(path)` for what to `select_related`, so naming
them costs no query each.
"""

from collections.abc import Callable

_PROFILES: list[tuple[str, Callable]] = []


def register_profile(related_name: str, name_of: Callable) -> None:
    """Name users who have the one-to-one profile `user.<related_name>` by `name_of(profile)`."""
    if related_name not in (name for name, _ in _PROFILES):
        _PROFILES.append((related_name, name_of))


def related(path: str) -> list[str]:
    """The `select_related` paths that load the profiles of the user at `path` (e.g. "revision__user")."""
    return [f"{path}__{name}" for name, _ in _PROFILES]


def display_name(user, default: str = "") -> str:
    if user is None:
        return default
    for name, name_of in _PROFILES:
        profile = getattr(user, name, None)
        if profile is not None:
            return name_of(profile)
    return user.get_full_name() or user.get_username()
