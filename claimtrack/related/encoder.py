"""Sentence encoders: text in, unit vectors out.

The default, WordLlama, is a static embedding model whose 256-dimension weights and tokenizer ship
inside its wheel, so it runs offline and fast (about 35 µs a sentence on one core). A user with a
stronger model names it: ``st:MODEL`` loads it with sentence-transformers (the ``transformers`` extra),
from a local folder or the user's own cache.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ClaimtrackError

DEFAULT_ENCODER = "wordllama"
SENTENCE_TRANSFORMERS_PREFIX = "st:"
ENCODE_BATCH = 512


class Encoder(Protocol):
    name: str  # stored with the vectors: vectors of another encoder are never compared with these

    def encode(self, texts: list[str]) -> np.ndarray:
        """One float32 row of unit length a text."""


class WordLlamaEncoder:
    name = "wordllama"  # l2_supercat, 256 dimensions

    def __init__(self) -> None:
        import wordllama

        # Version 0.4.0.post1 looks for its tokenizer in the wrong folder unless pointed at its own.
        self._model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        return np.asarray(self._model.embed(texts, norm=True, batch_size=ENCODE_BATCH), dtype=np.float32)

    def encode_words(self, words: list[str]) -> np.ndarray:
        """Unit vectors of single words: the mean of their tokens' embeddings, as `encode` pools a text,
        without the padding that makes a batch of short inputs cost as much as long ones."""
        encoded = self._unpadded.encode_batch(words, add_special_tokens=False)
        lengths = np.fromiter((len(e.ids) for e in encoded), dtype=np.int64, count=len(encoded))
        ids = np.fromiter((i for e in encoded for i in e.ids), dtype=np.int64, count=int(lengths.sum()))
        table = self._model.embedding
        np.clip(ids, 0, len(table) - 1, out=ids)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        vectors = np.add.reduceat(table[ids], starts, axis=0) / np.maximum(lengths, 1)[:, None]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)

    @functools.cached_property
    def _unpadded(self):
        tokenizer = copy.deepcopy(self._model.tokenizer)
        tokenizer.no_padding()
        return tokenizer


class SentenceTransformerEncoder:
    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ClaimtrackError(
                "encoder st:... needs sentence-transformers: pip install 'claimtrack[transformers]'"
            ) from None
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as error:  # a missing model or folder surfaces as many exception types
            raise ClaimtrackError(f"cannot load the sentence-transformers model {model!r}: {error}") from None
        self.name = SENTENCE_TRANSFORMERS_PREFIX + model

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


class WordVectors:
    """Unit vectors of single words from an encoder, remembered: the words of news recur."""

    def __init__(self, encoder: Encoder, capacity: int = 200_000) -> None:
        self._encode = getattr(encoder, "encode_words", encoder.encode)
        self._known: dict[str, np.ndarray] = {}
        self._capacity = capacity

    def __call__(self, words: list[str]) -> np.ndarray:
        self.learn(words)
        return np.stack([self._known[w] for w in words])

    def learn(self, words) -> None:
        """Encode the words not known yet, all in one batch."""
        missing = [w for w in dict.fromkeys(words) if w not in self._known]
        if missing:
            if len(self._known) + len(missing) > self._capacity:
                self._known.clear()
            self._known.update(zip(missing, self._encode(missing)))


@functools.cache
def word_vectors(encoder: Encoder) -> WordVectors:
    return WordVectors(encoder)


@functools.cache
def load_encoder(spec: str | None = None) -> Encoder:
    """The encoder `spec` names: "wordllama" (the default) or "st:MODEL"."""
    spec = spec or DEFAULT_ENCODER
    if spec == DEFAULT_ENCODER:
        return WordLlamaEncoder()
    if spec.startswith(SENTENCE_TRANSFORMERS_PREFIX):
        return SentenceTransformerEncoder(spec[len(SENTENCE_TRANSFORMERS_PREFIX) :])
    raise ClaimtrackError(f"unknown encoder {spec!r}: use 'wordllama' or 'st:MODEL'")
