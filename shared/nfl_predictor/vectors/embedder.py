"""Text embeddings for semantic search: an offline default and Amazon Bedrock for production.

Both produce 256-d unit vectors (the dimension migrations give every text embedding column).
The offline ``HashingEmbedder`` needs no model download: signed feature hashing of words and word
pairs, so texts sharing vocabulary land near each other. It is a lexical embedder, honest about
being one; ``BedrockEmbedder`` (Titan Text Embeddings v2 at dimensions=256) gives real semantics.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import Any, Protocol

import numpy as np

TEXT_DIM = 256
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _bucket(token: str) -> tuple[int, float]:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % TEXT_DIM, 1.0 if (value >> 63) & 1 else -1.0


class HashingEmbedder:
    name = "hashing-v1"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), TEXT_DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            for token, weight in [(w, 1.0) for w in words] + [
                (f"{a} {b}", 0.5) for a, b in itertools.pairwise(words)
            ]:
                index, sign = _bucket(token)
                out[row, index] += sign * weight
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out[norms[:, 0] == 0, 0] = 1.0  # an empty text still gets a valid unit vector
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


class BedrockEmbedder:
    name = "bedrock-titan-v2-256"
    model_id = "amazon.titan-embed-text-v2:0"

    def __init__(self, client: Any | None = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("bedrock-runtime")
        self.client = client

    def embed(self, texts: list[str]) -> np.ndarray:
        import json

        rows = []
        for text in texts:  # Titan v2 embeds one text per call
            response = self.client.invoke_model(
                modelId=self.model_id,
                body=json.dumps({"inputText": text[:8000], "dimensions": TEXT_DIM, "normalize": True}),
                contentType="application/json", accept="application/json",
            )  # fmt: skip
            rows.append(json.loads(response["body"].read())["embedding"])
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), TEXT_DIM)


def make_embedder(name: str) -> Embedder:
    """EMBEDDER=bedrock in AWS (the function role needs bedrock:InvokeModel); hashing otherwise."""
    return BedrockEmbedder() if name == "bedrock" else HashingEmbedder()
