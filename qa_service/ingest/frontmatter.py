"""Split a Markdown text into its YAML front matter and body."""

import yaml


class FrontMatterError(ValueError):
    """The front matter is missing or is not a YAML mapping."""


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """Return (metadata, body, line number where the body starts, 1-based).

    A text without a leading `---` block has empty metadata.
    """
    if not text.startswith("---"):
        return {}, text, 1
    lines = text.splitlines(keepends=True)
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            break
    else:
        raise FrontMatterError("front matter starts with '---' but is never closed")
    try:
        meta = yaml.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        raise FrontMatterError(f"front matter is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be a YAML mapping")
    return meta, "".join(lines[end + 1:]), end + 2
