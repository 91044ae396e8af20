"""Index: embedder, dense (FAISS) and lexical (BM25) stores, manifest and atomic writes."""
