"""Files: getFile, and sendDocument/sendPhoto with multipart uploads or existing file_ids."""

from __future__ import annotations

from typing import Any

from emulator.files import StoredFile, is_image
from emulator.formatting import format_text
from emulator.methods.base import Context, api_method, chat_for_sending, deliver
from emulator.params import UploadedFile
from emulator.state import bad_request


@api_method("getFile")
async def get_file(ctx: Context) -> dict[str, Any]:
    stored = ctx.files.get(str(ctx.params.get("file_id") or ""))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > ctx.options.max_download_size:
        raise bad_request("file is too big")
    return stored.as_get_file()


def _input_file(ctx: Context, field: str, kind: str) -> StoredFile:
    """Resolve an upload, an ``attach://`` reference or a known file_id like the real API."""
    value = ctx.params.get(field)
    if isinstance(value, str) and value.startswith("attach://"):
        value = ctx.params.get(value.removeprefix("attach://"))
        if not isinstance(value, UploadedFile):
            raise bad_request("wrong HTTP URL specified")
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        if kind == "photos" and not is_image(value.data):
            raise bad_request("IMAGE_PROCESS_FAILED")
        return ctx.files.add(value.data, value.filename, value.content_type, kind=kind)
    if value is None or value == "":
        raise bad_request(f"there is no {field} in the request")
    if isinstance(value, str):
        existing = ctx.files.get(value)
        if existing is not None:
            return existing
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
    raise bad_request("wrong file identifier/HTTP URL specified")


def _caption(ctx: Context, content: dict[str, Any]) -> str | None:
    caption = ctx.params.get("caption")
    if caption is None or caption == "":
        return None
    plain, entities = format_text(
        str(caption),
        ctx.params.get("parse_mode"),
        ctx.params.get("caption_entities"),
        caption=True,
    )
    if plain:
        content["caption"] = plain
    if entities:
        content["caption_entities"] = entities
    return str(caption)


@api_method("sendDocument")
async def send_document(ctx: Context) -> dict[str, Any]:
    chat = chat_for_sending(ctx)
    stored = _input_file(ctx, "document", "documents")
    content: dict[str, Any] = {"document": stored.as_document()}
    source = _caption(ctx, content)
    return deliver(ctx, chat, content, source_text=source)


@api_method("sendPhoto")
async def send_photo(ctx: Context) -> dict[str, Any]:
    chat = chat_for_sending(ctx)
    stored = _input_file(ctx, "photo", "photos")
    content: dict[str, Any] = {"photo": stored.as_photo()}
    source = _caption(ctx, content)
    return deliver(ctx, chat, content, source_text=source)
