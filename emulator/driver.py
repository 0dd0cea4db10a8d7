"""Test driver: fake Telegram users who write to the bot and read what it answered.

Each ``FakeUser`` has its own cursors over the chat's event log, so every bot message / edit
is consumed once per user object, and waiting never misses an event that happened before the
wait began. Failures raise ``AssertionError`` with the recent API calls for debugging.
"""

from __future__ import annotations

import asyncio
import copy
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulator.files import FileStore, is_image
from emulator.formatting import utf16_len
from emulator.keyboards import ButtonSpec, button_texts, find_button, keyboard_rows
from emulator.state import BotState, CallbackQueryRecord, ChatEvent, ChatState, StoredMessage

if TYPE_CHECKING:
    from emulator.server import BotApiEmulator

COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
RECENT_CALLS = 15
# A failure guard, not an expectation: a passing wait returns as soon as the event is there,
# so the guard is sized for a slow, loaded CI machine (several times slower than a laptop).
WAIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class BotDocument:
    data: bytes
    filename: str | None
    mime_type: str | None
    file_id: str


@dataclass
class BotMessage:
    """A message as the user sees it: visible ``text`` (or caption) and keyboard."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    buttons: list[list[str]]
    document: BotDocument | None
    photo: bytes | None
    raw: dict[str, Any]
    parse_mode: str | None = None
    source_text: str | None = None  # text exactly as the bot sent it (with HTML tags etc.)
    entities: list[dict[str, Any]] = field(default_factory=list)
    from_bot: bool = True
    edited: bool = False
    deleted: bool = False

    @classmethod
    def from_stored(cls, stored: StoredMessage, files: FileStore) -> BotMessage:
        data = stored.data
        document = None
        if "document" in data:
            doc = files.get(data["document"]["file_id"])
            if doc is not None:
                document = BotDocument(doc.data, doc.filename, doc.mime_type, doc.file_id)
        photo = None
        if data.get("photo"):
            image = files.get(data["photo"][-1]["file_id"])
            photo = image.data if image is not None else None
        markup = stored.reply_markup if stored.from_bot else data.get("reply_markup")
        return cls(
            message_id=data["message_id"],
            chat_id=data["chat"]["id"],
            text=data.get("text", data.get("caption", "")),
            reply_markup=copy.deepcopy(markup),
            buttons=button_texts(markup),
            document=document,
            photo=photo,
            raw=copy.deepcopy(data),
            parse_mode=stored.parse_mode,
            source_text=stored.source_text,
            entities=list(data.get("entities", data.get("caption_entities", []))),
            from_bot=stored.from_bot,
            edited="edit_date" in data,
            deleted=stored.deleted,
        )

    @property
    def callback_data(self) -> list[list[str | None]]:
        return [[b.get("callback_data") for b in row] for row in keyboard_rows(self.reply_markup)]

    def button(self, spec: ButtonSpec) -> dict[str, Any]:
        """The button dict by text / substring / (row, col) / flat index."""
        return find_button(self.reply_markup, spec)


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities like Telegram clients send (UTF-16 offsets)."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in COMMAND_RE.finditer(text)
    ]


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class FakeUser:
    """A Telegram user (in a private chat by default) talking to one bot."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        token: str | None = None,
        chat_id: int | None = None,
        chat_title: str = "Test group",
    ) -> None:
        self._emu = emulator
        self._token = token
        self.user_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.chat_id = chat_id if chat_id is not None else user_id
        self.chat_title = chat_title
        self._cursors = {"message": 0, "edit": 0, "delete": 0, "action": 0}

    def __repr__(self) -> str:
        return f"FakeUser(user_id={self.user_id}, first_name={self.first_name!r})"

    # -- identity -----------------------------------------------------------------------------

    @property
    def profile(self) -> dict[str, Any]:
        """This user as a Bot API ``User`` object."""
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                user[key] = getattr(self, key)
        return user

    @property
    def token(self) -> str:
        token = self._token or self._emu.default_token
        if token is None:
            raise AssertionError(
                "FakeUser has no bot to talk to: start the bot first or pass token="
            )
        self._token = token
        return token

    @property
    def bot(self) -> BotState:
        return self._emu.bot(self.token)

    def _chat(self) -> ChatState:
        if self.chat_id == self.user_id:
            return self.bot.private_chat(self.profile)
        return self.bot.group_chat(self.chat_id, self.chat_title)

    def _existing_chat(self) -> ChatState | None:
        token = self._token or self._emu.default_token
        if token is None or token not in self._emu.tokens:
            return None
        return self._emu.bot(token).chats.get(self.chat_id)

    # -- acting -------------------------------------------------------------------------------

    async def _post(self, content: dict[str, Any], kind: str = "message") -> dict[str, Any]:
        chat = self._chat()
        if chat.blocked:
            await self.unblock()
        chat.started = True
        stored = self.bot.add_message(chat, content, sender=self.profile)
        self.bot.push_update({kind: copy.deepcopy(stored.data)})
        await asyncio.sleep(0)
        return copy.deepcopy(stored.data)

    async def send(
        self,
        text: str,
        *,
        entities: list[dict[str, Any]] | None = None,
        reply_to: BotMessage | dict[str, Any] | int | None = None,
    ) -> dict[str, Any]:
        """Send a text message; ``/commands`` get ``bot_command`` entities automatically."""
        content: dict[str, Any] = {"text": text}
        found = entities if entities is not None else command_entities(text)
        if found:
            content["entities"] = found
        if reply_to is not None:
            content["reply_to_message"] = self._stored(reply_to).data
        return await self._post(content)

    async def send_contact(
        self,
        phone_number: str,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        vcard: str | None = None,
    ) -> dict[str, Any]:
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        extras = {"last_name": last_name, "user_id": contact_user_id, "vcard": vcard}
        contact.update({k: v for k, v in extras.items() if v is not None})
        return await self._post({"contact": contact})

    async def share_contact(self, phone_number: str) -> dict[str, Any]:
        """Share the user's own contact, as a ``request_contact`` keyboard button does."""
        return await self.send_contact(
            phone_number, self.first_name, self.last_name, contact_user_id=self.user_id
        )

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}})

    async def upload(
        self,
        path_or_bytes: str | Path | bytes,
        filename: str | None = None,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> dict[str, Any]:
        """Send a document; the bot can getFile + download it."""
        data, filename = _read_source(path_or_bytes, filename)
        stored = self._emu.files.add(data, filename or "file.bin", mime_type)
        content: dict[str, Any] = {"document": stored.as_document()}
        if caption:
            content["caption"] = caption
        return await self._post(content)

    async def send_photo(
        self, path_or_bytes: str | Path | bytes, caption: str | None = None
    ) -> dict[str, Any]:
        data, _ = _read_source(path_or_bytes, None)
        if not is_image(data):
            raise ValueError("send_photo needs PNG/JPEG/GIF/WEBP bytes (see emulator.tiny_png)")
        stored = self._emu.files.add(data, None, None, kind="photos")
        content: dict[str, Any] = {"photo": stored.as_photo()}
        if caption:
            content["caption"] = caption
        return await self._post(content)

    async def edit(self, message: dict[str, Any] | int, text: str) -> dict[str, Any]:
        """Edit one of the user's own text messages (an ``edited_message`` update)."""
        stored = self._stored(message)
        stored.data["text"] = text
        stored.data["edit_date"] = stored.data["date"] + 1
        entities = command_entities(text)
        if entities:
            stored.data["entities"] = entities
        else:
            stored.data.pop("entities", None)
        self.bot.push_update({"edited_message": copy.deepcopy(stored.data)})
        await asyncio.sleep(0)
        return copy.deepcopy(stored.data)

    async def tap(self, message: BotMessage | dict[str, Any] | int, button: ButtonSpec) -> str:
        """Press an inline button (text, unique substring, (row, col) or flat index) of the
        message's *current* keyboard; returns the callback query id."""
        stored = self._stored(message)
        markup = stored.data.get("reply_markup")
        if not markup:
            raise AssertionError(
                f"Message {stored.message_id} has no inline keyboard "
                f"(text: {_short(stored.data.get('text', stored.data.get('caption')))})"
            )
        found = find_button(markup, button)
        if "callback_data" not in found:
            raise AssertionError(f"Button {found['text']!r} has no callback_data: {found}")
        return await self._callback(stored.message_id, found["callback_data"])

    async def tap_data(self, message_id: int, data: str) -> str:
        """Send a callback query with arbitrary (e.g. forged or stale) ``data``."""
        return await self._callback(message_id, data)

    async def _callback(self, message_id: int, data: str) -> str:
        bot, chat = self.bot, self._chat()
        query_id = str(4_000_000_000_000_000 + bot.bot_id % 1000 * 1_000_000 + bot.next_id())
        stored = chat.messages.get(message_id)
        if stored is not None and not stored.deleted:
            message = copy.deepcopy(stored.data)
        else:  # InaccessibleMessage
            message = {"chat": dict(chat.chat), "message_id": message_id, "date": 0}
        bot.callback_queries[query_id] = CallbackQueryRecord(
            query_id, self.user_id, self.chat_id, message_id, data
        )
        bot.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.profile,
                    "message": message,
                    "chat_instance": str(abs(self.chat_id) * 31 + bot.bot_id),
                    "data": data,
                }
            }
        )
        await asyncio.sleep(0)
        return query_id

    async def block(self) -> None:
        """Block the bot: it gets ``my_chat_member`` (kicked) and 403 on sending."""
        await self._member_status("kicked", blocked=True)

    async def unblock(self) -> None:
        await self._member_status("member", blocked=False)

    async def _member_status(self, status: str, *, blocked: bool) -> None:
        chat = self._chat()
        old = "member" if blocked else "kicked"
        chat.blocked = blocked
        self.bot.push_update(
            {
                "my_chat_member": {
                    "chat": dict(chat.chat),
                    "from": self.profile,
                    "date": int(time.time()),
                    "old_chat_member": {"status": old, "user": self.bot.user, **_until(old)},
                    "new_chat_member": {"status": status, "user": self.bot.user, **_until(status)},
                }
            }
        )
        await asyncio.sleep(0)

    # -- observing ----------------------------------------------------------------------------

    async def next_message(self, timeout: float = WAIT_TIMEOUT) -> BotMessage:
        """The next bot message in this chat not yet consumed by this user object."""
        event = await self._next_event("message", timeout, "a bot message")
        return self._message(event)

    async def wait_for(
        self, predicate: Callable[[BotMessage], bool], timeout: float = WAIT_TIMEOUT
    ) -> BotMessage:
        """The next bot message matching ``predicate``; earlier ones are consumed too."""
        files = self._emu.files

        def matches(event: ChatEvent) -> bool:
            assert event.message is not None
            return bool(predicate(BotMessage.from_stored(event.message, files)))

        event = await self._next_event("message", timeout, "a matching bot message", matches)
        return self._message(event)

    async def next_edit(self, timeout: float = WAIT_TIMEOUT) -> BotMessage:
        """The message state after the next not-yet-consumed edit by the bot."""
        event = await self._next_event("edit", timeout, "a message edit")
        return self._message(event)

    async def next_deletion(self, timeout: float = WAIT_TIMEOUT) -> int:
        """The id of the next message the bot deleted."""
        event = await self._next_event("delete", timeout, "a message deletion")
        assert event.message is not None
        return event.message.message_id

    async def next_action(self, timeout: float = WAIT_TIMEOUT) -> str:
        """The next chat action (``typing``, ``upload_document``, ...)."""
        event = await self._next_event("action", timeout, "a chat action")
        return event.payload["action"]

    async def callback_answer(self, callback_query_id: str, timeout: float = WAIT_TIMEOUT) -> dict:
        """The params of the bot's answerCallbackQuery (``text``, ``show_alert``, ...)."""

        def answered() -> dict[str, Any] | None:
            query = self.bot.callback_queries.get(callback_query_id)
            return None if query is None or query.answer is None else {"answered": query.answer}

        result = await self._emu._signal.wait_until(answered, timeout)
        if result is None:
            self._fail(f"an answer to callback query {callback_query_id}", timeout)
        return result["answered"]

    async def expect_no_message(self, within: float = 0.5) -> None:
        """Wait ``within`` seconds and fail if any unconsumed bot message is in this chat."""
        await asyncio.sleep(within)
        pending = self.pending_messages()
        if pending:
            texts = "\n".join(f"  #{m.message_id}: {_short(m.text)}" for m in pending)
            raise AssertionError(f"Expected no bot message, but got:\n{texts}")

    def pending_messages(self) -> list[BotMessage]:
        """Bot messages not consumed yet (does not consume them)."""
        chat = self._existing_chat()
        if chat is None:
            return []
        events = chat.events[self._cursors["message"] :]
        return [self._message(e) for e in events if e.kind == "message"]

    def drain(self) -> list[BotMessage]:
        """Consume and return all pending bot messages (edits etc. are skipped too)."""
        pending = self.pending_messages()
        chat = self._existing_chat()
        if chat is not None:
            self._cursors = dict.fromkeys(self._cursors, len(chat.events))
        return pending

    def last_message(self) -> BotMessage:
        """The latest bot message in this chat, in its current state (not consuming)."""
        chat = self._existing_chat()
        stored = [m for m in (chat.messages.values() if chat else []) if m.from_bot]
        if not stored:
            raise AssertionError(f"The bot has not sent anything to chat {self.chat_id}")
        return BotMessage.from_stored(stored[-1], self._emu.files)

    def current(self, message_id: int) -> BotMessage:
        """The current state of a message (after edits; ``deleted`` flag set if deleted)."""
        chat = self._existing_chat()
        stored = chat.messages.get(message_id) if chat else None
        if stored is None:
            raise AssertionError(f"No message {message_id} in chat {self.chat_id}")
        return BotMessage.from_stored(stored, self._emu.files)

    def history(self) -> list[BotMessage]:
        """All messages of the chat (user's and bot's) in their current state."""
        chat = self._existing_chat()
        messages = chat.messages.values() if chat else []
        return [BotMessage.from_stored(m, self._emu.files) for m in messages]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Texts of the reply keyboard currently shown to the user, if any."""
        chat = self._existing_chat()
        return button_texts(chat.reply_keyboard) if chat and chat.reply_keyboard else None

    # -- helpers ------------------------------------------------------------------------------

    def _stored(self, message: BotMessage | dict[str, Any] | int) -> StoredMessage:
        if isinstance(message, BotMessage):
            message_id = message.message_id
        elif isinstance(message, dict):
            message_id = message["message_id"]
        else:
            message_id = message
        stored = self._chat().messages.get(message_id)
        if stored is None or stored.deleted:
            state = "was deleted" if stored else "does not exist"
            raise AssertionError(f"Message {message_id} in chat {self.chat_id} {state}")
        return stored

    def _message(self, event: ChatEvent) -> BotMessage:
        assert event.message is not None
        return BotMessage.from_stored(event.message, self._emu.files)

    async def _next_event(
        self,
        kind: str,
        timeout: float,
        what: str,
        predicate: Callable[[ChatEvent], bool] | None = None,
    ) -> ChatEvent:
        def check() -> ChatEvent | None:
            chat = self._existing_chat()
            if chat is None:
                return None
            for index in range(self._cursors[kind], len(chat.events)):
                event = chat.events[index]
                if event.kind == kind and (predicate is None or predicate(event)):
                    self._cursors[kind] = index + 1
                    return event
            return None

        event = await self._emu._signal.wait_until(check, timeout)
        if event is None:
            self._fail(what, timeout)
        return event

    def _fail(self, what: str, timeout: float) -> None:
        token = self._token or self._emu.default_token
        calls = self._emu.bot(token).calls if token in self._emu.tokens else []
        lines = [f"  {c.method} -> {c.status}: {_short(c.params)}" for c in calls[-RECENT_CALLS:]]
        recent = "\n".join(lines) or "  (none: is the bot running and polling?)"
        seen = [m for m in self.history() if m.from_bot][-3:]
        sent = "\n".join(f"  #{m.message_id}: {_short(m.text)}" for m in seen) or "  (none)"
        raise AssertionError(
            f"Timed out after {timeout}s waiting for {what} in chat {self.chat_id}.\n"
            f"Last bot messages in this chat:\n{sent}\n"
            f"Recent API calls of the bot:\n{recent}"
        )


def _until(status: str) -> dict[str, Any]:
    return {"until_date": 0} if status == "kicked" else {}


def _read_source(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), filename
    path = Path(source)
    return path.read_bytes(), filename or path.name
