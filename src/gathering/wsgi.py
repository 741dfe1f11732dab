"""WSGI entry point for gunicorn: `gunicorn gathering.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gathering.settings")
application = get_wsgi_application()
# Everything loaded so far (Django, the apps, settings, the postcode table) lives as long as the process:
# moved out of the garbage collector's generations, so its passes over what requests make stay short.
gc.freeze()
