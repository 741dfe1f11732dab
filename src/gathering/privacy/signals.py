"""Signals other apps connect to, so data tied to a consent disappears the moment consent is withdrawn."""

from django.dispatch import Signal

# Sent with sender=ConsentRecord, user, purpose, inside the withdrawing transaction: a receiver that fails
# rolls the withdrawal back, so consent is never recorded as withdrawn while its data is still in use.
consent_withdrawn = Signal()
