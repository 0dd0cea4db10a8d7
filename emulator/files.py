"""Stored files: what users upload and what the bot sends, addressable by file_id and path.

getFile resolves a ``file_id`` to a ``file_path`` which the bot then downloads from
``/file/bot<token>/<file_path>``, exactly like the real API; photo dimensions are sniffed from
the image header so ``PhotoSize`` objects look plausible.
"""

from __future__ import annotations

import hashlib
import itertools
import mimetypes
import struct
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

DEFAULT_MIME = "application/octet-stream"


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str

    @property
    def size(self) -> int:
        return len(self.data)

    def as_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.filename:
            doc["file_name"] = self.filename
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = self.size
        return doc

    def as_photo(self) -> list[dict[str, Any]]:
        width, height = image_size(self.data)
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": self.size,
                "width": width,
                "height": height,
            }
        ]

    def as_get_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


class FileStore:
    """All files of one emulator (shared by its bots; real file_ids are per bot, ours aren't)."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count()

    def add(
        self,
        data: bytes,
        filename: str | None = None,
        mime_type: str | None = None,
        *,
        kind: str = "documents",
    ) -> StoredFile:
        number = next(self._counter)
        if mime_type is None and filename:
            mime_type = mimetypes.guess_type(filename, strict=False)[0]
        suffix = PurePath(filename).suffix if filename else ""
        if not suffix and kind == "photos":
            suffix = ".jpg"
        digest = hashlib.sha1(data).hexdigest()
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}{number:06d}_{digest[:24]}",
            file_unique_id=f"U{digest[:15]}",
            data=bytes(data),
            filename=filename,
            mime_type=mime_type or (DEFAULT_MIME if kind == "documents" else None),
            file_path=f"{kind}/file_{number}{suffix}",
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def is_image(data: bytes) -> bool:
    """Whether ``data`` looks like an image Telegram could process as a photo."""
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def tiny_png(width: int = 1, height: int = 1) -> bytes:
    """A valid grey PNG of the given size: handy photo bytes for tests."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, GIF or JPEG image; (1, 1) when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data) or (1, 1)
    return (1, 1)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
