"""Source markers such as `[s1]` or `[s1, s3]` that end each paragraph of the corpus."""

import re

MARKER = re.compile(r"\s*\[(s\d+(?:\s*,\s*s\d+)*)\]")
TRAILING_MARKERS = re.compile(r"(?:\s*\[s\d+(?:\s*,\s*s\d+)*\])+\s*$")
BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def marker_ids(text: str) -> list[str]:
    """All source ids named by markers in `text`, in order, without repeats."""
    ids: list[str] = []
    for group in MARKER.findall(text):
        for source_id in re.split(r"\s*,\s*", group):
            if source_id not in ids:
                ids.append(source_id)
    return ids


def ends_with_markers(text: str) -> bool:
    return bool(TRAILING_MARKERS.search(text))


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def is_bullet(line: str) -> bool:
    return bool(BULLET.match(line))


def paragraph_units(body: str, first_line: int = 1) -> list[tuple[int, str]]:
    """Split a Markdown body into the units that must each carry markers.

    A unit is a paragraph (lines up to a blank line) or one bullet item with its continuation
    lines. Headings are not units. Returns (line number, text) pairs.
    """
    units: list[tuple[int, str]] = []
    current: list[str] = []
    start = first_line

    def flush():
        if current:
            units.append((start, " ".join(part.strip() for part in current)))
            current.clear()

    for number, line in enumerate(body.splitlines(), start=first_line):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            flush()
            continue
        if is_bullet(line) or not current:
            flush()
            start = number
        current.append(line)
    flush()
    return units
