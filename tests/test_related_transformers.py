"""The optional encoder: a sentence-transformers model the user names, here a tiny one built by the test.

sentence-transformers (the `transformers` extra) pulls in torch; `.ci/run` installs both, with torch's CPU
build. Without them this file is skipped and says why.
"""

import json

import numpy as np
import pytest
from corpora import SEEDS
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.related import load_encoder
from claimtrack.store import open_store

sentence_transformers = pytest.importorskip("sentence_transformers", reason="the transformers extra is not installed")
tokenizers = pytest.importorskip("tokenizers")
try:
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
except ImportError:  # releases before 5.4 keep it here
    from sentence_transformers.models import StaticEmbedding


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A static-embedding model with a word-level vocabulary of the seeds: made here, never downloaded."""
    words = sorted({w.lower() for path in SEEDS.glob("*.txt") for w in path.read_text(encoding="utf-8").split()})
    vocabulary = {"[UNK]": 0, **{word: i + 1 for i, word in enumerate(words)}}
    tokenizer = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocabulary, unk_token="[UNK]"))
    tokenizer.normalizer = tokenizers.normalizers.Lowercase()
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.WhitespaceSplit()
    weights = np.random.default_rng(1).standard_normal((len(vocabulary), 32)).astype(np.float32)
    static = StaticEmbedding(tokenizer, embedding_weights=weights)
    folder = tmp_path_factory.mktemp("model") / "tiny"
    sentence_transformers.SentenceTransformer(modules=[static], device="cpu").save(str(folder))
    return folder


def test_a_named_model_encodes_the_claims_and_answers_related(tiny_model, tmp_path):
    db = str(tmp_path / "c.db")
    assert CliRunner().invoke(app, ["--db", db, "ingest", str(SEEDS)]).exit_code == 0
    encoder = f"st:{tiny_model}"
    result = CliRunner().invoke(app, ["--db", db, "embed", "--encoder", encoder, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"encoded": 135, "encoder": encoder}
    store = open_store(db)
    assert {len(v) for (v,) in store.conn.execute("SELECT vector FROM claim_vectors")} == {32}
    claim = store.conn.execute("SELECT id FROM sentences WHERE text LIKE 'Astana also cancelled%'").fetchone()[0]
    store.close()
    result = CliRunner().invoke(app, ["--db", db, "related", str(claim), "--json"])  # the stored encoder again
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found and claim not in [r["id"] for r in found]
    result = CliRunner().invoke(app, ["--db", db, "search", "--like", "Victory Day parade", "--json"])
    assert result.exit_code == 0, result.output


def test_a_missing_model_is_one_line_error(tmp_path):
    db = str(tmp_path / "c.db")
    result = CliRunner().invoke(app, ["--db", db, "embed", "--encoder", f"st:{tmp_path / 'no-such-model'}"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot load the sentence-transformers model")
    assert len(result.output.strip().splitlines()) == 1


def test_the_encoder_name_is_its_model(tiny_model):
    assert load_encoder(f"st:{tiny_model}").name == f"st:{tiny_model}"
