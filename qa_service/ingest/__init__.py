"""Ingestion: load corpus files, check them, split them into chunks, build the index."""
