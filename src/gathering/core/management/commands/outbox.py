"""`gathering outbox status|deliver|send-test EMAIL|requeue-failed`: look after the email outbox by hand."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from gathering.core.models import OutboxMessage
from gathering.core.outbox import outbox_deliver_due, outbox_enqueue, outbox_requeue_failed


class Command(BaseCommand):
    help = "Show the email outbox, deliver what is due now, send a test email, or retry failed messages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Count messages by status.")
        deliver = actions.add_parser("deliver", help="Deliver the messages that are due now.")
        deliver.add_argument("--limit", type=int, default=50)
        test = actions.add_parser("send-test", help="Send a test email through the outbox.")
        test.add_argument("email")
        actions.add_parser("requeue-failed", help="Give failed messages a fresh set of attempts.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "status":
            counts = dict(
                OutboxMessage.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
            )
            for status in OutboxMessage.Status:
                self.stdout.write(f"{status.value:<8} {counts.get(status.value, 0)}")
        elif action == "deliver":
            if options["limit"] < 1:
                raise CommandError("--limit must be 1 or more.")
            report = outbox_deliver_due(limit=options["limit"])
            self.stdout.write(
                f"sent {report.sent}, to retry {report.retried}, failed {report.failed}, "
                f"reclaimed {report.reclaimed}"
            )
        elif action == "send-test":
            with transaction.atomic():
                message = outbox_enqueue(
                    kind="outbox_test", to=[options["email"]], template="outbox_test", context={}
                )
            self.stdout.write(f"Queued test message {message.pk}.")
        elif action == "requeue-failed":
            self.stdout.write(f"Requeued {outbox_requeue_failed()} messages.")
