"""HTML tables saved as ".xls": what Bitrix24 and many web CRMs call an Excel export.

Excel opens such a file and shows the table, one <tr> per row; so does this reader, streaming
the text through `html.parser` in chunks. A cell's text is its text content with <br> as a
new line; `colspan` adds empty cells after it (as Excel's merged cell does); `rowspan` is not
followed (the cells below are simply empty). Rows of every table in the document count, in
order, as Excel shows them one below the other.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import IO

_CHUNK = 64 * 1024
_MAX_SPAN = 50


class _RowParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.done: list[list[str]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.span = 1
        self.skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            if self.row is None:
                self.row = []
            self._end_cell()
            self.cell = []
            span = dict(attrs).get("colspan") or "1"
            self.span = min(int(span), _MAX_SPAN) if span.strip().isdigit() else 1
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")
        elif tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()
        elif tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.skip:
            self.cell.append(data)

    def _end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell))
            self.row.extend("" for _ in range(self.span - 1))
        self.cell = None
        self.span = 1

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is not None:
            self.done.append(self.row)
        self.row = None


def html_rows(source: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based row number, cell texts) for every <tr> of the document."""
    source.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    parser = _RowParser()
    number = 0
    while True:
        chunk = source.read(_CHUNK)
        parser.feed(decoder.decode(chunk, final=not chunk))
        if not chunk:
            parser.close()
            parser._end_row()
        for row in parser.done:
            number += 1
            yield number, row
        parser.done.clear()
        if not chunk:
            return
