"""Check the corpus: every city present, well-formed front matter, every paragraph sourced.

Usage: `qa-service validate-corpus [DIR]` or, with PyYAML alone, `python -m qa_service.ingest.validate DIR`.
"""

import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

from qa_service.atlas import ATLAS_CITIES
from qa_service.ingest.frontmatter import FrontMatterError, split_front_matter
from qa_service.ingest.markers import ends_with_markers, marker_ids, paragraph_units

FOLDER_TYPES = {"cities": "city_profile", "context": "context", "interviews": "interview"}
ID_PREFIX = {"city_profile": "city", "context": "context", "interview": "interview"}
REQUIRED = {"id": str, "type": str, "title": str, "city": (str, type(None)), "slug": str,
            "state": (str, type(None)), "as_of": int, "sources": list}
INTERVIEW_REQUIRED = {"person": str, "role": str, "outlet": str, "date": str}
SOURCE_DATE = re.compile(r"^(?:ca\. )?\d{4}(?:-\d{2}(?:-\d{2})?)?(?:/\d{4})?$|^unbekannt$")
SOURCE_ID = re.compile(r"^s\d+$")


def is_web_url(url) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlparse(url)
    return parts.scheme in ("http", "https") and "." in parts.netloc and " " not in url


def check_sources(sources: list, where: str) -> tuple[list[str], set[str]]:
    problems, ids = [], set()
    for position, source in enumerate(sources, start=1):
        label = f"{where}: source #{position}"
        if not isinstance(source, dict):
            problems.append(f"{label} must be a mapping with id, url, title, date")
            continue
        source_id = source.get("id")
        if not isinstance(source_id, str) or not SOURCE_ID.match(source_id):
            problems.append(f"{label} has id {source_id!r}; expected s1, s2, ...")
        elif source_id in ids:
            problems.append(f"{label} repeats id {source_id}")
        else:
            ids.add(source_id)
        url = source.get("url")
        if url is None:
            if not source.get("publication"):
                problems.append(f"{label} ({source_id}) has no url; a source without url must name a publication")
        elif not is_web_url(url):
            problems.append(f"{label} ({source_id}) has a malformed url {url!r}; expected http(s)://host/...")
        if not isinstance(source.get("title"), str) or not source["title"].strip():
            problems.append(f"{label} ({source_id}) has no title")
        date = source.get("date")
        if not isinstance(date, str) or not SOURCE_DATE.match(date):
            problems.append(f"{label} ({source_id}) has date {date!r}; expected YYYY[-MM[-DD]], 'ca. YYYY', YYYY/YYYY or 'unbekannt'")
    return problems, ids


def check_front_matter(meta: dict, path: Path, folder_type: str) -> list[str]:
    problems = []
    required = dict(REQUIRED, **(INTERVIEW_REQUIRED if folder_type == "interview" else {}))
    for key, kind in required.items():
        if key not in meta:
            problems.append(f"{path}: front matter misses '{key}'")
        elif not isinstance(meta[key], kind) or (kind is int and isinstance(meta[key], bool)):
            problems.append(f"{path}: front matter '{key}' has wrong type {type(meta[key]).__name__}")
    if problems:
        return problems
    if meta["type"] != folder_type:
        problems.append(f"{path}: type is {meta['type']!r} but files in this folder have type {folder_type!r}")
    if meta["slug"] != path.stem:
        problems.append(f"{path}: slug {meta['slug']!r} differs from the file name {path.stem!r}")
    expected_id = f"{ID_PREFIX[folder_type]}/{path.stem}"
    if meta["id"] != expected_id:
        problems.append(f"{path}: id {meta['id']!r}; expected {expected_id!r}")
    if folder_type == "context":
        if meta["city"] is not None:
            problems.append(f"{path}: context documents have city: null")
    elif meta["city"] not in ATLAS_CITIES:
        problems.append(f"{path}: city {meta['city']!r} is not one of the 50 Atlas cities")
    elif folder_type == "city_profile" and ATLAS_CITIES[meta["city"]] != path.stem:
        problems.append(f"{path}: city {meta['city']!r} belongs in {ATLAS_CITIES[meta['city']]}.md")
    elif folder_type != "context" and not meta["state"]:
        problems.append(f"{path}: state is missing")
    if folder_type == "interview" and not SOURCE_DATE.match(meta["date"]):
        problems.append(f"{path}: interview date {meta['date']!r} is not a valid date")
    return problems


def check_body(body: str, first_line: int, source_ids: set[str], path: Path) -> list[str]:
    problems, cited = [], set()
    for line, unit in paragraph_units(body, first_line):
        if not ends_with_markers(unit):
            problems.append(f"{path}:{line}: paragraph has no source marker at its end: {unit[:70]!r}")
        for source_id in marker_ids(unit):
            cited.add(source_id)
            if source_id not in source_ids:
                problems.append(f"{path}:{line}: marker [{source_id}] points to no source in the front matter")
    return problems


def check_document(path: Path, folder_type: str) -> tuple[list[str], dict | None]:
    try:
        meta, body, first_line = split_front_matter(path.read_text(encoding="utf-8"))
    except (FrontMatterError, UnicodeDecodeError) as error:
        return [f"{path}: {error}"], None
    if not meta:
        return [f"{path}: front matter is missing"], None
    problems = check_front_matter(meta, path, folder_type)
    if problems:
        return problems, None
    source_problems, source_ids = check_sources(meta["sources"], str(path))
    return source_problems + check_body(body, first_line, source_ids, path), meta


def check_facts_table(corpus: Path, profiles: dict[str, dict]) -> list[str]:
    path = corpus / "cities.yaml"
    if not path.exists():
        return [f"{path}: missing (structured facts table of the 50 cities)"]
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return [f"{path}: not valid YAML: {error}"]
    if not isinstance(entries, list):
        return [f"{path}: must be a list of city entries"]
    problems, seen = [], set()
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("name", "slug", "state")):
            problems.append(f"{path}: entry #{position} needs name, slug and state as strings")
            continue
        name, slug = entry["name"], entry["slug"]
        if ATLAS_CITIES.get(name) != slug:
            problems.append(f"{path}: entry {name!r} has slug {slug!r}; expected {ATLAS_CITIES.get(name)!r}")
        if slug in seen:
            problems.append(f"{path}: city {slug!r} appears twice")
        seen.add(slug)
        profile = profiles.get(slug)
        if profile is None:
            continue
        if profile["state"] != entry["state"]:
            problems.append(f"{path}: {name} has state {entry['state']!r} but its profile says {profile['state']!r}")
        profile_urls = {source.get("url") for source in profile["sources"] if isinstance(source, dict)}
        for url in sorted(set(_fact_sources(entry)) - profile_urls):
            problems.append(f"{path}: {name} cites {url!r}, which is not among the sources of its profile")
    for slug in sorted(set(ATLAS_CITIES.values()) - seen):
        problems.append(f"{path}: city {slug!r} has no entry")
    return problems


def _fact_sources(value) -> list[str]:
    """Every `source` value nested anywhere in a facts entry."""
    if isinstance(value, dict):
        found = [value["source"]] if isinstance(value.get("source"), str) else []
        return found + [url for item in value.values() for url in _fact_sources(item)]
    if isinstance(value, list):
        return [url for item in value for url in _fact_sources(item)]
    return []


def validate_corpus(corpus: Path) -> list[str]:
    """Return every problem found in the corpus at `corpus`, as 'path[:line]: message' lines."""
    problems: list[str] = []
    ids: dict[str, Path] = {}
    profiles: dict[str, dict] = {}
    for folder, folder_type in FOLDER_TYPES.items():
        for path in sorted((corpus / folder).glob("*.md")):
            document_problems, meta = check_document(path, folder_type)
            problems += document_problems
            if meta is None:
                continue
            if meta["id"] in ids:
                problems.append(f"{path}: id {meta['id']!r} is already used by {ids[meta['id']]}")
            ids[meta["id"]] = path
            if folder_type == "city_profile":
                profiles[meta["slug"]] = meta
    for name, slug in ATLAS_CITIES.items():
        if not (corpus / "cities" / f"{slug}.md").exists():
            problems.append(f"{corpus / 'cities' / (slug + '.md')}: profile of {name} is missing")
    return problems + check_facts_table(corpus, profiles)


def main(argv: list[str] | None = None) -> int:
    corpus = Path((argv or sys.argv[1:] or ["corpus"])[0])
    problems = validate_corpus(corpus)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {corpus}" if problems else f"corpus {corpus} is valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
