"""Embeddings (text and matchup) and pgvector similarity search."""
