"""Site identity: the registered domain of a URL (``francais.rt.com`` → ``rt.com``), or its host.

Uses tldextract with the public-suffix list bundled in the package; it never fetches the list, so
results do not depend on the network or the day. It is imported on the first URL (with the
HTTP client it brings, about 0.1 s), so work on texts without URLs never pays for it.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit


@functools.cache
def _extractor():
    import tldextract

    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


SITE_BY = ("domain", "host")


def site_of_url(url: str | None, by: str = "domain") -> str | None:
    """The registered domain of ``url`` in lower case (``by="host"``: its host name without a
    leading ``www.``), the host when it has no registered domain, else None."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host:
        return None
    if by == "host":
        return host.lower().removeprefix("www.")
    parts = _extractor()(host)
    domain = getattr(parts, "top_domain_under_public_suffix", None)
    if domain is None:  # tldextract before 5.3
        domain = parts.registered_domain
    return (domain or host).lower()
