"""Signals accounts sends so other apps (privacy's audit log) can react without accounts importing them."""

from django.dispatch import Signal

# Sent with sender=User, actor, user, before and after (sets of role slugs) inside the changing transaction.
roles_changed = Signal()

# Sent with sender=User and user, inside the transaction, just before a person's account is deleted. Each app
# that keeps something after erasure (registrations for counts, financial and safeguarding records) anonymises
# it in its receiver and returns {model label: what is kept and why}.
account_deleting = Signal()
