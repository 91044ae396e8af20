"""Retrieval: dense, lexical and hybrid search with filters and city detection."""
