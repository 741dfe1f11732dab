"""Signals other apps connect to, so data tied to a consent disappears the moment consent is withdrawn."""

from django.dispatch import Signal

# Sent with sender=ConsentRecord, user, purpose, inside the withdrawing transaction: a receiver that fails
# rolls the withdrawal back, so consent is never recorded as withdrawn while its data is still in use.
consent_withdrawn = Signal()

# Sent with sender=User and user, before anything is changed, to show the person what deleting their account
# will do. Each app that acts on erasure answers with a list of `selectors.LeavingStep`, built from the same
# selector its `account_deleting` receiver acts on, so the page and the erasure cannot disagree.
erasure_previewing = Signal()

# Sent with sender=ConsentRecord, user and purpose, before anything is changed, to show the person what
# withdrawing that consent will delete. Each app that acts on `consent_withdrawn` answers with a list of
# sentences (one per Gathering, circle...), built from the same rows its receiver changes.
consent_withdrawal_previewing = Signal()
