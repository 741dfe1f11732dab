"""Page-number pagination with a caller-chosen page size (capped)."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "per_page"
    max_page_size = 200
