"""Core's background tasks: delivering the email outbox, and running the periodic jobs that beat asks for.

Each task is safe to run twice (a worker that dies mid-task leaves it to run again): a message is claimed
before it is sent and a sent one is never sent again; a periodic job is claimed on its JobRun row.
"""

import logging

from gathering.celery import app

from . import jobs, outbox

logger = logging.getLogger(__name__)


@app.task
def outbox_deliver(message_id: int) -> None:
    """Send one message straight after the transaction that wrote it (queued by `outbox_enqueue`)."""
    outbox.outbox_deliver_message(message_id=message_id)


@app.task
def outbox_sweep() -> None:
    """Send every message that is due: retries, and messages whose own task never ran."""
    outbox.outbox_sweep()


@app.task
def periodic(name: str) -> None:
    """Run the registered job `name` if it is due; beat sends this at the job's interval."""
    if jobs.job_run(name=name):
        logger.info("Job %s ran", name)
    else:
        logger.info("Job %s skipped: it ran within its interval or is running elsewhere", name)
