"""`{% source_events_needing_the_board %}`: proposed source events and out-of-date notices, for the
board's screens (the re-review queue)."""

from django import template

from reviews.source_event_decisions import events_needing_the_board
from reviews.source_events import may_confirm_events

register = template.Library()


@register.inclusion_tag("admin/reviews/includes/source_events_needing_the_board.html", takes_context=True)
def source_events_needing_the_board(context):
    proposals, outdated = events_needing_the_board()
    request = context.get("request")
    return {
        "proposals": proposals,
        "outdated": outdated,
        "may_confirm": request is not None and may_confirm_events(request.user),
    }
