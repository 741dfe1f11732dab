"""DRF's throttles, counting anonymous callers by the same address as every other limit."""

from rest_framework import throttling
from rest_framework.request import Request

from gathering.core.client_address import client_address


class _SameAddress:
    def get_ident(self, request: Request) -> str:
        return client_address(request._request)


class AnonRateThrottle(_SameAddress, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_SameAddress, throttling.UserRateThrottle):
    pass
