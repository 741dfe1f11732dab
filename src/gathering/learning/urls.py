"""Learning pages: the catalogue, course pages and materials, My learning, the holder's certificate
downloads and the public certificate verification page."""

from django.urls import path

from . import certificate_views, views

app_name = "learning"
urlpatterns = [
    path("learning/", views.catalogue, name="catalogue"),
    path("learning/<slug:slug>/", views.course_detail, name="course"),
    path("learning/<slug:slug>/materials/<int:material_id>/", views.material, name="material"),
    path("my/learning/", views.my_learning, name="my"),
    path("my/learning/<int:registration_id>/check-in/", views.check_in, name="check_in"),
    path(
        "my/learning/<int:registration_id>/self-assessment/<str:stage>/",
        views.assessment,
        name="assessment",
    ),
    path(
        "my/learning/<int:registration_id>/certificate.pdf",
        certificate_views.certificate_pdf_download,
        name="certificate_pdf",
    ),
    path(
        "my/learning/<int:registration_id>/certificate.jwt",
        certificate_views.certificate_badge_download,
        name="certificate_badge",
    ),
    path(
        "my/learning/<int:registration_id>/certificate/name/",
        certificate_views.certificate_name,
        name="certificate_name",
    ),
    path("certificates/verify/", certificate_views.certificate_verify_form, name="certificate_verify_form"),
    path("certificates/verify/<str:code>/", certificate_views.certificate_verify, name="certificate_verify"),
]
