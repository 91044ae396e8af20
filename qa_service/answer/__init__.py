"""Answering: extractive sentence selection, citation numbering and abstention."""
