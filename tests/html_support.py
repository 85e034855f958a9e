"""Test support: an HTML fragment parsed back as a browser reads it (tags and texts)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collect(HTMLParser):
    """Every start tag and every piece of text, as the browser would show them (no CSS,
    no white space alone between tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.texts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        # a stylesheet and the white space between tags are not text a person reads
        if data.strip() and self.open[-1:] != ["style"]:
            self.texts.append(data)


def parse(fragment: str) -> _Collect:
    parser = _Collect()
    parser.feed(fragment)
    parser.close()
    assert parser.open == [], f"unclosed tags {parser.open}"
    return parser
