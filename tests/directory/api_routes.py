"""The HSDS API's named routes, for the site-wide sweeps (tests/test_access_sweep.py, tests/pages.py): each is
public JSON about the directory, with no person's data behind it, for anyone (tests/directory/test_api.py)."""

HSDS_API_ROUTES = (
    "hsds:root",
    "hsds:openapi",
    "hsds:services",
    "hsds:service",
    "hsds:organizations",
    "hsds:organization",
    "hsds:service_at_locations",
    "hsds:service_at_location",
    "hsds:taxonomies",
    "hsds:taxonomy",
    "hsds:taxonomy_terms",
    "hsds:taxonomy_term",
)
