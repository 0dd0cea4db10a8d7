"""Import (or Import only valid rows) taps: claim the preview in the tap's transaction, then
import in the background, editing one status message with the progress, and show the results."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable

from telegram import Update
from telegram.error import TelegramError

from crm.importing import ImportFileError, service
from crm.importing.service import DuplicatePolicy, ImportServiceError
from handlers import flows
from handlers.callbacks import invalid_button
from handlers.context import CrmContext
from handlers.imports.flow import IMPORT, PREVIEW, RUNNING, Job, after_commit, current
from handlers.imports.receiving import download_and_prepare, download_failed, problem_text
from handlers.imports.results import result_text, send_rejected_rows
from storage.repositories import workspaces as members_repo

log = logging.getLogger(__name__)


async def start_import(update: Update, ctx: CrmContext, run: str, *, only_valid: bool) -> None:
    _ = ctx.t
    state = ctx.unit.state
    if current(ctx, run, RUNNING) is not None:  # a double tap: the first one claimed it
        ctx.answer(_("This import is already running."), alert=True)
        return
    data = current(ctx, run, PREVIEW)
    if data is None:
        if state is None or state.flow != IMPORT:
            ctx.answer(
                _("This import is finished or was cancelled. Send the file again to import it."),
                alert=True,
            )
        else:
            invalid_button(ctx)
        return
    data["only_valid"] = only_valid
    await flows.begin(update, ctx, IMPORT, RUNNING, data)  # the claim: later taps see it
    ctx.edit(_("Importing <b>{file}</b>…").format(file=html.escape(data["name"])))
    job = Job.of(update, ctx, run)
    message_id = update.callback_query.message.message_id
    after_commit(ctx, job, lambda: _run_import(job, message_id, data), "run")


def _progress_every() -> float:
    """Seconds between progress edits: the package's PROGRESS_EVERY, read at each use."""
    from handlers import imports  # the package imports this module: not at import time

    return imports.PROGRESS_EVERY


class _Progress:
    """The service's progress callback. The call only records the numbers (the service calls
    it inside its write transaction: no network there); `show` edits the message with the
    latest numbers every PROGRESS_EVERY seconds until `stop`."""

    def __init__(self) -> None:
        self.done = 0
        self.total = 0
        self._stopped = asyncio.Event()

    def __call__(self, done: int, total: int) -> Awaitable[None]:
        self.done, self.total = done, total
        return _Ready()

    async def show(self, job: Job, message_id: int) -> None:
        _ = job.translator
        shown = None
        while not self._stopped.is_set():
            try:
                await asyncio.wait_for(self._stopped.wait(), _progress_every())
                return
            except TimeoutError:
                pass
            if (self.done, self.total) == shown or not self.done:
                continue
            shown = (self.done, self.total)
            text = _("Imported {done} of {total} rows…").format(
                done=_.number(self.done), total=_.number(self.total)
            )
            await job.edit(message_id, text)

    async def stop(self, ticker: asyncio.Task) -> None:
        """Let an edit under way finish first, so that it never lands after the result."""
        self._stopped.set()
        await asyncio.gather(ticker, return_exceptions=True)


class _Ready:
    def __await__(self):
        return iter(())


async def _run_import(job: Job, message_id: int, data: dict) -> None:
    _ = job.translator
    services = job.services
    ticker = None
    try:
        prepared = await download_and_prepare(job, data)
        async with services.database.sessionmaker() as session:
            actor = await members_repo.get_member(
                session, workspace_id=job.workspace_id, member_id=job.member_id
            )
        if actor is None:
            await job.fail(message_id, _("You are no longer a member of this team."))
            return
        progress = _Progress()
        ticker = asyncio.create_task(progress.show(job, message_id))
        result = await service.run_import(
            services.database,
            actor=actor,
            prepared=prepared,
            policy=DuplicatePolicy(data["policy"]),
            only_valid=bool(data.get("only_valid")),
            now=services.clock(),
            progress=progress,
        )
    except ImportFileError as error:
        await job.fail(message_id, problem_text(_, error.problem))
        return
    except TelegramError as error:
        await download_failed(job, message_id, error, data["name"])
        return
    except ImportServiceError:  # all or nothing: the service rolled it back
        log.exception("import failed")
        await job.fail(
            message_id,
            _(
                "Sorry, the import failed on our side and nothing was written. Please try "
                "again in a minute."
            ),
        )
        return
    except Exception:
        log.exception("import failed")
        await job.fail(
            message_id,
            _(
                "Sorry, the import failed on our side. /imports shows whether anything was "
                "written; please try again in a minute."
            ),
        )
        return
    finally:
        if ticker is not None:
            await progress.stop(ticker)
    try:
        async with services.database.transaction() as session:
            await service.remember_mapping(
                session, workspace_id=job.workspace_id, match=prepared.match
            )
    except Exception:  # the import is written; a mapping not remembered is no reason to fail
        log.exception("could not remember the column mapping")
    await job.finish()
    await job.edit(message_id, result_text(_, data["name"], result))
    if result.rejected:
        await send_rejected_rows(job, data["name"], result.rejected, prepared)
