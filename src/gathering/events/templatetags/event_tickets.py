"""Template filters for tickets: what a ticket costs, in words, the same on every page that lists them."""

from django import template

from gathering.events.forms import ticket_price as _ticket_price
from gathering.events.models import TicketType

register = template.Library()


@register.filter
def ticket_price(ticket: TicketType, currency: str = "GBP") -> str:
    return _ticket_price(ticket, currency)
