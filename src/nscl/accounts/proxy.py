"""The client's address and scheme behind a reverse proxy, believed only from configured proxies.

nginx (deploy/nginx-nscl.conf) sets X-Forwarded-For and X-Forwarded-Proto. When the connecting peer
(REMOTE_ADDR) is one of settings.NSCL_TRUSTED_PROXIES, REMOTE_ADDR becomes the right-most address of
X-Forwarded-For that is not itself a trusted proxy, and X-Forwarded-Proto is left for Django's
SECURE_PROXY_SSL_HEADER. From any other peer the forwarding headers are removed, so a client talking
to the server directly can neither choose its address (login lockout, audit log) nor claim https.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                      "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def is_trusted(address: str, proxies=None) -> bool:
    nets = _networks(tuple(settings.NSCL_TRUSTED_PROXIES if proxies is None else proxies))
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(meta, proxies=None) -> str:
    """The client address for a request's META (see the module docstring)."""
    peer = meta.get("REMOTE_ADDR", "")
    if not is_trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: keep the proxy's address
    return hops[0] if hops else peer


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if is_trusted(meta.get("REMOTE_ADDR", "")):
            meta["REMOTE_ADDR"] = client_address(meta)
        else:
            for h in FORWARDING_HEADERS:
                meta.pop(h, None)
        return self.get_response(request)
