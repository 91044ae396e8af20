"""HTTP service: FastAPI app, one router per resource."""
