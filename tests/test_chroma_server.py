"""The dense store on a real Chroma server (`chroma run`) instead of the embedded one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


from bot.indexing.index import open_index
from bot.indexing.ingest import ingest
from bot.retrieval.hybrid import retrieve
from bot.retrieval.query import make_query
from bot.settings import ChromaSettings, Settings
from conftest import TINY_DECREE_61, TINY_LAW, TINY_NEWS

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    import chromadb

    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma exited with code {process.returncode}")
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return
        except Exception as exc:  # connection refused until the server listens
            last_error = exc
            time.sleep(0.3)
    raise TimeoutError(f"chroma did not answer on port {port} within {timeout:.0f} s: {last_error}")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if not CHROMA.exists():
        pytest.skip(f"no `chroma` executable next to the Python running the tests ({CHROMA})")
    data_dir = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(data_dir / "server.log", "wb")
    process = subprocess.Popen([str(CHROMA), "run", "--path", str(data_dir / "data"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_ingest_and_retrieve_through_a_chroma_server(chroma_server: int, tiny_corpus: Path, tmp_path: Path,
                                                     seeded_index_dir: Path) -> None:
    import chromadb

    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus, corpus)
    settings = Settings().with_paths(corpus_dir=corpus, index_dir=seeded_index_dir)
    settings.chroma = ChromaSettings(host="127.0.0.1", port=chroma_server, collection="test_server")
    index = open_index(settings)

    report = ingest(index, corpus)
    assert sorted(report.added) == sorted([TINY_LAW, TINY_DECREE_61, TINY_NEWS])
    assert report.texts_embedded == 0  # the seeded cache holds every chunk

    # The vectors live on the server, not in the index folder.
    assert not (seeded_index_dir / "chroma").exists()
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    collection = client.get_collection("test_server")
    assert collection.count() == len(index.catalog.chunk_ids()) == report.chunks_indexed
    assert set(collection.get(include=[])["ids"]) == set(index.catalog.chunk_ids())

    passages = retrieve(index, make_query("Hương ước, quy ước là gì?"), 3)
    assert passages[0].chunk.doc_id == TINY_DECREE_61
    assert passages[0].dense_score is not None and passages[0].dense_score > 0.8
    passages = retrieve(index, make_query("luat thuc hien dan chu o co so"), 3)
    assert passages[0].chunk.doc_id == TINY_LAW

    # A second run against the server finds nothing to do; a removed file leaves the server too.
    assert sorted(ingest(index, corpus).unchanged) == sorted([TINY_LAW, TINY_DECREE_61, TINY_NEWS])
    news_ids = set(index.catalog.chunk_ids(TINY_NEWS))
    (corpus / TINY_NEWS).unlink()
    assert ingest(index, corpus).removed == [TINY_NEWS]
    assert not news_ids & set(collection.get(include=[])["ids"])
    assert collection.count() == len(index.catalog.chunk_ids())


def test_embedded_store_after_a_server_store_stays_local(chroma_server: int, tmp_path: Path) -> None:
    import chromadb

    server = Settings(chroma=ChromaSettings(host="127.0.0.1", port=chroma_server, collection="probe_server"))
    open_index(server.with_paths(index_dir=tmp_path / "server-side")).dense.count()
    local = Settings(chroma=ChromaSettings(collection="probe_embedded"))
    local_index = open_index(local.with_paths(index_dir=tmp_path / "local"))
    local_index.dense.count()
    remote_names = {c.name for c in chromadb.HttpClient(host="127.0.0.1", port=chroma_server).list_collections()}
    assert "probe_embedded" not in remote_names
    assert (tmp_path / "local" / "chroma" / "chroma.sqlite3").exists()
