"""A service's page described for search engines in schema.org terms, as JSON-LD.

The block is data (`<script type="application/ld+json">`), which browsers never run, so the
Content-Security-Policy's `script-src` does not apply to it. Only what the page itself shows goes in.
"""

from __future__ import annotations

import json

from django.utils.safestring import SafeString, mark_safe

from .hours import in_week_order, weekly_specification
from .listing import Place, ServicePage

# Characters that could end the script element or start markup are written as JSON escapes.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _compact(data: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


def _address(place: Place) -> dict[str, object] | None:
    if not place.addresses:
        return None
    address = place.addresses[0]
    street = ", ".join(part for part in (address.address_1, address.address_2) if part)
    return _compact(
        {
            "@type": "PostalAddress",
            "streetAddress": street,
            "addressLocality": address.city,
            "addressRegion": address.state_province or address.region,
            "postalCode": address.postal_code,
            "addressCountry": address.country,
        }
    )


def _channel(place: Place, page: ServicePage) -> dict[str, object]:
    location = place.location
    point = place.point
    where = _compact(
        {
            "@type": "Place",
            "name": location.name,
            "address": _address(place),
            "geo": {"@type": "GeoCoordinates", "latitude": point[0], "longitude": point[1]}
            if point
            else None,
        }
    )
    phones = [phone.number for phone in place.phones] or [phone.number for phone in page.phones]
    return _compact(
        {
            "@type": "ServiceChannel",
            "name": location.name,
            "serviceUrl": location.url if place.online else "",
            "serviceLocation": where if not place.online else None,
            "servicePhone": {"@type": "ContactPoint", "telephone": phones[0]} if phones else None,
            "availableLanguage": page.languages,
        }
    )


def service_json_ld(page: ServicePage, *, url: str) -> SafeString:
    """The JSON-LD of a service page at `url` (absolute), ready to put inside the script element."""
    service = page.service
    organization = page.organization
    schedules = in_week_order(service.schedules.all())
    hours = [spec for spec in map(weekly_specification, schedules) if spec is not None]
    currency = next((option.currency for option in page.costs if option.currency), "GBP")
    data = _compact(
        {
            "@context": "https://schema.org",
            "@type": "Service",
            "@id": url,
            "url": url,
            "name": service.name,
            "alternateName": service.alternate_name,
            "description": service.description,
            "serviceType": ", ".join(term.name for term in page.approaches),
            "category": [term.name for term in page.approaches],
            "provider": _compact(
                {
                    "@type": "Organization",
                    "name": organization.name,
                    "url": organization.website,
                    "email": organization.email,
                }
            ),
            "areaServed": [area.name for area in service.service_areas.all() if area.name],
            "availableChannel": [_channel(place, page) for place in page.places],
            "hoursAvailable": hours,
            "offers": {"@type": "Offer", "price": "0", "priceCurrency": currency} if page.free else None,
            "sameAs": service.url,
        }
    )
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_ESCAPES)
    # JSON with <, > and & escaped: no text in it can end the element or start markup.
    return mark_safe(text)  # noqa: S308  # nosec B308 B703
