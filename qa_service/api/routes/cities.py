"""GET /api/cities and /api/cities/{slug}: the cities with their sourced facts and profile."""

from fastapi import APIRouter

from qa_service.api.deps import LoadedDep
from qa_service.api.errors import ApiError, ErrorBody
from qa_service.api.schemas import CityDetail, CitySummary

router = APIRouter(tags=["cities"])


@router.get("/api/cities", response_model=list[CitySummary])
async def list_cities(loaded: LoadedDep) -> list[dict]:
    """All cities of the corpus with their structured, sourced facts."""
    return loaded.catalog.summaries()


@router.get("/api/cities/{slug}", response_model=CityDetail, responses={404: {"model": ErrorBody}})
async def city_detail(slug: str, loaded: LoadedDep) -> dict:
    """One city: facts, the sections of its profile and the profile's sources."""
    detail = loaded.catalog.detail(slug.lower())
    if detail is None:
        raise ApiError(404, "unknown_city", f"Keine Stadt mit dem Kürzel {slug!r}.",
                       f"No city with the slug {slug!r}.", details={"valid": sorted(loaded.catalog.cities)})
    return detail
