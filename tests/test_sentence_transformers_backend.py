"""The sentence-transformers embedding backend, on a tiny model the test builds and saves locally.

No model hub is reachable, so the test makes a small random BERT with its own WordPiece vocabulary:
what is checked is the loading and plumbing (local path, prefixes, normalisation, the index), not quality.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.indexing.index import open_index
from bot.indexing.ingest import ingest
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import make_query
from bot.settings import EmbeddingSettings, Settings


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = pytest.importorskip("torch")
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("st")
    words = ["hương", "ước", "quy", "thôn", "xã", "luật", "dân", "chủ", "ban", "thanh", "tra", "nhân", "query", "passage", ":"]
    vocab = root / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n", encoding="utf-8")
    bert_dir = root / "bert"
    BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True).save_pretrained(bert_dir)
    config = BertConfig(vocab_size=5 + len(words), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(bert_dir)
    transformer = models.Transformer(str(bert_dir), max_seq_length=64)
    model = SentenceTransformer(modules=[transformer, models.Pooling(32, pooling_mode="mean")])
    model.save(str(root / "model"))
    return root / "model"


def test_index_and_retrieve_with_a_local_sentence_transformers_model(tiny_model_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Hương ước\n\nHương ước, quy ước của thôn do nhân dân bàn và quyết định.", encoding="utf-8")
    (corpus / "b.txt").write_text("Ban thanh tra\n\nBan thanh tra nhân dân ở xã giám sát việc thực hiện dân chủ.", encoding="utf-8")
    settings = Settings(embedding=EmbeddingSettings(backend="sentence-transformers", model_path=str(tiny_model_dir)))
    index = open_index(settings.with_paths(corpus_dir=corpus, index_dir=tmp_path / "index"))
    assert index.embeddings.model_id == f"st:{tiny_model_dir.name}"

    report = ingest(index, corpus)
    assert sorted(report.added) == ["a.txt", "b.txt"] and report.texts_embedded == 2
    vector = index.embeddings.embed_query("hương ước")
    assert len(vector) == 32 and abs(sum(v * v for v in vector) - 1.0) < 1e-4

    passages = retrieve(index, make_query("Hương ước của thôn"), 2)
    assert {p.chunk.doc_id for p in passages} == {"a.txt", "b.txt"}
    assert passages[0].chunk.doc_id == "a.txt"  # BM25 decides here; the dense side only has to work


def test_missing_model_path_is_a_clear_error() -> None:
    settings = Settings(embedding=EmbeddingSettings(backend="sentence-transformers", model_path=None))
    with pytest.raises(ValueError, match="model_path"):
        open_index(settings.with_paths(index_dir="/tmp/never-used-index"))
