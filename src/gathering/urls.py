"""Top-level URL map: each capability mounts its own urls.py under a prefix."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from gathering.core.media import development_urlpatterns
from gathering.learning import certificate_views

# Django's admin has a password-only sign-in page with no attempt limits: everyone signs in through allauth
# instead (its limits and the second factor), and the staff middleware keeps /admin/ for sessions that
# passed it.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # Site-wide addresses that verifiers of the Open Badge credentials fetch (learning/badges.py).
    path(".well-known/jwks.json", certificate_views.jwks_document, name="certificates_jwks"),
    path("certificates/issuer", certificate_views.issuer_profile, name="certificates_issuer"),
    path("certificates/status/<int:list_id>", certificate_views.status_list, name="certificates_status"),
    path("", include("gathering.core.urls")),
    path("", include("gathering.events.urls")),
    path("", include("gathering.programme.urls")),
    path("", include("gathering.circles.urls")),
    path("", include("gathering.learning.urls")),
    path("", include("gathering.impact.urls")),
    path("help/", include("gathering.support.urls")),
    path("find-support/", include("gathering.directory.urls")),
    path("network/", include("gathering.directory.network_urls")),
    path("my/organisations/", include("gathering.directory.partner_urls")),
    path("", include("gathering.privacy.urls")),
    path("account/", include("gathering.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("staff/gatherings/", include("gathering.events.staff_urls")),
    path("staff/programme/", include("gathering.programme.staff_urls")),
    path("staff/circles/", include("gathering.circles.staff_urls")),
    path("staff/learning/", include("gathering.learning.staff_urls")),
    path("staff/safeguarding/", include("gathering.support.staff_urls")),
    path("staff/audit/", include("gathering.privacy.staff_urls")),
    path("staff/directory/", include("gathering.directory.staff_urls")),
    path("staff/impact/", include("gathering.impact.staff_urls")),
    path("staff/", include("gathering.accounts.staff_urls")),
    path("api/hsds/", include("gathering.directory.api_urls")),
    path("api/", include("gathering.api.urls")),
    path("admin/", admin.site.urls),
]

# Uploaded files (venue photos) are served by nginx in production; the development server serves them here.
urlpatterns += development_urlpatterns()

handler400 = "gathering.core.views.bad_request"
handler403 = "gathering.core.views.permission_denied"
handler404 = "gathering.core.views.page_not_found"
handler500 = "gathering.core.views.server_error"
