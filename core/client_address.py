"""The client's address, as everything that counts clients uses it (login throttling, follow-up
rate limits): the peer, or, behind a trusted proxy, the address that proxy wrote into a header."""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def client_ip_address(request) -> str | None:
    """The peer's address, or, when the peer is a trusted proxy and
    ORACLE_CLIENT_IP_HEADER is set, the address that proxy wrote into the header.

    The right-most entry is taken: a proxy that appends ($proxy_add_x_forwarded_for) puts the
    address it saw last; whatever is left of it came from the client and proves nothing.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    header = settings.ORACLE_CLIENT_IP_HEADER
    if header and _is_trusted_proxy(remote):
        entries = [entry.strip() for entry in request.META.get(header, "").split(",") if entry.strip()]
        if entries:
            try:
                return str(ipaddress.ip_address(entries[-1]))
            except ValueError:
                logger.warning("Ignored a malformed %s from the proxy", header)
    return remote


def _is_trusted_proxy(address: str | None) -> bool:
    """ORACLE_TRUSTED_PROXIES holds addresses or networks (10.0.0.0/8)."""
    try:
        peer = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(net, strict=False) for net in settings.ORACLE_TRUSTED_PROXIES)
