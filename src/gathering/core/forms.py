"""Form rendering after the GOV.UK Design System: label, hint, error message, then the field."""

from django.forms.renderers import DjangoTemplates


class FormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"
