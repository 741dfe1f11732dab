from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("impact/", views.impact, name="page"),
    path("impact/<int:year>/", views.impact_year, name="year"),
    path("impact/<int:year>/report.pdf", views.impact_year_pdf, name="year_pdf"),
]
