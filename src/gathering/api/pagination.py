"""Page-number pagination with a caller-chosen page size (capped), refusing a size that is not one."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.request import Request


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "per_page"
    max_page_size = 200

    def paginate_queryset(self, queryset, request: Request, view=None):
        # DRF answers 404 for "page=0", "page=" or "page=x" as for a page past the end; a page number that is
        # not one is a bad request, like a bad page size. A page past the end stays 404 (documented).
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and raw.strip("0")):
            raise ValidationError({self.page_query_param: _("Give a whole number from 1.")})
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        # DRF quietly falls back to the default for "per_page=null" or "per_page=0"; say what is wrong.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: _("Give a whole number from 1 to %(most)s.")
                    % {"most": self.max_page_size}
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
