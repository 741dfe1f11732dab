"""Routes of the HSDS API, mounted at /api/hsds/. Paths are HSDS's own (`/services`, `/services/{id}`,
...), without a trailing slash as its openapi.json writes them; one is accepted too."""

from django.urls import path, re_path

from . import api

ID = r"(?P<record_id>[^/]+)"

app_name = "hsds"
urlpatterns = [
    path("", api.RootView.as_view(), name="root"),
    path("openapi.json", api.OpenApiView.as_view(), name="openapi"),
    re_path(r"^services/?$", api.ServiceListView.as_view(), name="services"),
    re_path(rf"^services/{ID}/?$", api.ServiceDetailView.as_view(), name="service"),
    re_path(r"^organizations/?$", api.OrganizationListView.as_view(), name="organizations"),
    re_path(rf"^organizations/{ID}/?$", api.OrganizationDetailView.as_view(), name="organization"),
    re_path(
        r"^service_at_locations/?$", api.ServiceAtLocationListView.as_view(), name="service_at_locations"
    ),
    re_path(
        rf"^service_at_locations/{ID}/?$",
        api.ServiceAtLocationDetailView.as_view(),
        name="service_at_location",
    ),
    re_path(r"^taxonomies/?$", api.TaxonomyListView.as_view(), name="taxonomies"),
    re_path(rf"^taxonomies/{ID}/?$", api.TaxonomyDetailView.as_view(), name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", api.TaxonomyTermListView.as_view(), name="taxonomy_terms"),
    re_path(rf"^taxonomy_terms/{ID}/?$", api.TaxonomyTermDetailView.as_view(), name="taxonomy_term"),
]
