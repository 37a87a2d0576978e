-- pgvector for embeddings and similarity search (0.6 locally via pgserver, 0.8 on RDS).
CREATE EXTENSION IF NOT EXISTS vector;
