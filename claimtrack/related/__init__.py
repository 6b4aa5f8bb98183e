"""Related claims: the same claim told in other words.

- `encoder`: sentence encoders (WordLlama, offline, by default; sentence-transformers optional).
- `vectors`: int8 vectors and binary codes, and the nearest codes to a query.
- `score`: a claim's profile, the features of a pair, and the calibrated score.
- `find`: vectors for the stored claims (`embed_claims`), related claims of a claim, claims like a text.
"""

from .encoder import DEFAULT_ENCODER, Encoder, load_encoder
from .find import Related, claims_like, embed_claims, related_to_claim
from .score import RELATED_THRESHOLD

__all__ = [
    "DEFAULT_ENCODER",
    "RELATED_THRESHOLD",
    "Encoder",
    "Related",
    "claims_like",
    "embed_claims",
    "load_encoder",
    "related_to_claim",
]
