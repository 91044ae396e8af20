"""The cities of the corpus: structured facts (cities.yaml) and the sections of each profile."""

from pathlib import Path

import yaml

from qa_service.atlas import ATLAS_CITIES
from qa_service.index.store import IndexData
from qa_service.ingest.markers import strip_markers


class CityCatalog:
    """Cities known to the loaded index, with the facts table where the corpus has one."""

    def __init__(self, index: IndexData, facts_path: Path):
        facts = yaml.safe_load(facts_path.read_text(encoding="utf-8")) if facts_path.exists() else []
        facts_by_slug = {entry["slug"]: entry for entry in facts or []}
        self._profiles = {info.city: info for info in index.documents.values()
                          if info.doc_type == "city_profile" and info.city}
        names = sorted({chunk.city for chunk in index.chunks if chunk.city})
        self.cities = {}
        for name in names:
            slug = ATLAS_CITIES.get(name, name.lower().replace(" ", "-"))
            entry = facts_by_slug.get(slug, {})
            state = entry.get("state") or next((c.state for c in index.chunks if c.city == name), None)
            self.cities[slug] = {"slug": slug, "name": name, "state": state,
                                 "facts": {k: v for k, v in entry.items() if k not in ("name", "slug", "state")}}
        self._index = index

    def summaries(self) -> list[dict]:
        return list(self.cities.values())

    def detail(self, slug: str) -> dict | None:
        city = self.cities.get(slug)
        if city is None:
            return None
        profile = self._profiles.get(city["name"])
        sections: dict[str | None, list[str]] = {}
        if profile:
            for chunk in self._index.chunks:
                if chunk.doc_id == profile.doc_id:
                    sections.setdefault(chunk.section, []).append(strip_markers(chunk.text))
        return {**city, "doc_id": profile.doc_id if profile else None,
                "sections": [{"title": title, "text": "\n\n".join(parts)} for title, parts in sections.items()],
                "sources": [source.model_dump() for source in profile.sources.values()] if profile else []}
