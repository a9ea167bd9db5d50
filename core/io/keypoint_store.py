"""Append-only, batched, compressed keypoint store: one file per video plus a manifest.

Layout of ``keypoints.jsonl.gz``: a concatenation of self-contained gzip members (``zcat``
reads it). Each member holds one orjson object: a batch of processed frames in increasing order::

    {"frame": [..], "time_s": [..], "valid": [..],
     "image": [[[x_px, y_px, z, visibility, presence] x 33] x n],
     "world": [[[x_m, y_m, z_m] x 33] x n],
     "scene": [[dx_px, dy_px, peak, from_frame] x n],
     "feet": [[[dx_px, dy_px, peak, from_frame] x 4] x n]}

``scene`` (optional; stores written before it read as NaN) is the scenery's image shift since the
video frame ``from_frame`` (``core.pose.scene_motion``). ``feet`` (optional likewise) is the image
shift of a patch at each foot point (``core.constants.FOOT_MOTION_POINTS``: left heel, left toe,
right heel, right toe) since ``from_frame`` (``core.pose.foot_motion``).

Missing values are ``null``. One batch = one ``write`` call. A truncated last member (a
crash mid-write) is detected and ignored; ``KeypointStoreWriter`` truncates it on resume.

Parallel workers finish their batches in any order and each is appended as it arrives, so members
need not be in frame order: readers (``read_store``) sort by frame, and a frame stored twice is read
once (the first copy).
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import orjson

from core.constants import FOOT_MOTION_POINTS, NUM_LANDMARKS
from core.errors import InputError
from core.io.atomic import read_versioned_json, write_json

SCHEMA_VERSION = 1
STORE_NAME = "keypoints.jsonl.gz"
MANIFEST_NAME = "keypoints.manifest.json"


@dataclass(frozen=True)
class KeypointBatch:
    """Consecutive processed frames. frame (n,) int; time_s (n,); valid (n,) bool;
    image (n, 33, 5) [x_px, y_px, z, visibility, presence]; world (n, 33, 3) metres;
    scene (n, 4) [dx_px, dy_px, peak, from_frame] scenery shift since video frame ``from_frame``
    (None: all NaN); feet (n, 4, 4) the same per foot point of ``FOOT_MOTION_POINTS`` (None: all NaN).
    NaN = missing."""

    frame: np.ndarray
    time_s: np.ndarray
    valid: np.ndarray
    image: np.ndarray
    world: np.ndarray
    scene: np.ndarray | None = None
    feet: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.scene is None:
            object.__setattr__(self, "scene", np.full((len(self.frame), 4), np.nan))
        if self.feet is None:
            object.__setattr__(self, "feet", np.full((len(self.frame), len(FOOT_MOTION_POINTS), 4), np.nan))

    def __len__(self) -> int:
        return int(self.frame.shape[0])

    @staticmethod
    def empty() -> "KeypointBatch":
        return KeypointBatch(
            np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool),
            np.zeros((0, NUM_LANDMARKS, 5)), np.zeros((0, NUM_LANDMARKS, 3)), np.zeros((0, 4)),
            np.zeros((0, len(FOOT_MOTION_POINTS), 4)),
        )

    @staticmethod
    def concat(batches: list["KeypointBatch"]) -> "KeypointBatch":
        if not batches:
            return KeypointBatch.empty()
        return KeypointBatch(*(np.concatenate([getattr(b, f) for b in batches]) for f in _FIELDS))

    def slice(self, start: int, stop: int) -> "KeypointBatch":
        return KeypointBatch(*(getattr(self, f)[start:stop] for f in _FIELDS))


_FIELDS = ("frame", "time_s", "valid", "image", "world", "scene", "feet")


def encode_batch(batch: KeypointBatch, compression_level: int) -> bytes:
    """One gzip member holding ``batch`` as orjson."""
    payload = orjson.dumps(
        {f: getattr(batch, f) for f in _FIELDS},
        option=orjson.OPT_SERIALIZE_NUMPY,
    )
    comp = zlib.compressobj(compression_level, zlib.DEFLATED, 31)
    return comp.compress(payload) + comp.flush()


def _decode_payload(payload: bytes) -> KeypointBatch:
    obj = orjson.loads(payload)
    n = len(obj["frame"])
    return KeypointBatch(
        frame=np.asarray(obj["frame"], dtype=np.int64),
        time_s=np.asarray(obj["time_s"], dtype=float),
        valid=np.asarray(obj["valid"], dtype=bool),
        image=np.asarray(obj["image"], dtype=float).reshape(n, NUM_LANDMARKS, 5),
        world=np.asarray(obj["world"], dtype=float).reshape(n, NUM_LANDMARKS, 3),
        scene=np.asarray(obj["scene"], dtype=float).reshape(n, 4) if "scene" in obj else None,
        feet=np.asarray(obj["feet"], dtype=float).reshape(n, len(FOOT_MOTION_POINTS), 4) if "feet" in obj else None,
    )


def scan_members(path: str | Path, chunk_bytes: int = 1 << 20) -> Iterator[tuple[int, KeypointBatch]]:
    """Yield ``(end_offset_bytes, batch)`` for each complete member; stop at a truncated or corrupt tail."""
    with open(path, "rb") as fh:
        pending = b""
        offset = 0
        while True:
            dec = zlib.decompressobj(31)
            out: list[bytes] = []
            consumed = 0
            data = pending
            while True:
                if not data:
                    data = fh.read(chunk_bytes)
                    if not data:
                        return
                try:
                    out.append(dec.decompress(data))
                except zlib.error:
                    return
                if dec.eof:
                    consumed += len(data) - len(dec.unused_data)
                    pending = dec.unused_data
                    break
                consumed += len(data)
                data = b""
            try:
                batch = _decode_payload(b"".join(out))
            except (orjson.JSONDecodeError, KeyError, ValueError, TypeError):
                return
            offset += consumed
            yield offset, batch


def read_store(path: str | Path) -> KeypointBatch:
    """All complete batches of a store as one batch, in frame order, one row per frame."""
    return sort_frames(KeypointBatch.concat([b for _, b in scan_members(path)]))


def sort_frames(batch: KeypointBatch) -> KeypointBatch:
    """``batch`` in increasing frame order with each frame once (its first row kept)."""
    frame = batch.frame
    if len(frame) < 2 or bool(np.all(frame[1:] > frame[:-1])):
        return batch
    _, first = np.unique(frame, return_index=True)  # sorted frames, index of each one's first row
    return KeypointBatch(*(getattr(batch, f)[first] for f in _FIELDS))


def iter_store(path: str | Path) -> Iterator[KeypointBatch]:
    """Stream the store batch by batch in file order (bounded memory; batches may be out of frame order)."""
    for _, batch in scan_members(path):
        yield batch


def stored_frames(path: str | Path) -> tuple[np.ndarray, int]:
    """``(frames, valid_end_offset_bytes)``: the sorted distinct frame indices of a store's complete
    members, and where its last complete member ends (0 when the store is absent)."""
    if not Path(path).exists():
        return np.zeros(0, np.int64), 0
    parts, end = [], 0
    for end, batch in scan_members(path):
        parts.append(batch.frame)
    return (np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)), end


class KeypointStoreWriter:
    """Appends batches to a store, one ``write`` call each. Tracks write calls for the monitor."""

    def __init__(self, path: str | Path, compression_level: int, resume_offset: int = 0) -> None:
        self.path = Path(path)
        self.compression_level = compression_level
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume_offset > 0:
            with open(self.path, "r+b") as fh:
                fh.truncate(resume_offset)
            self._fh = open(self.path, "ab")
        else:
            self._fh = open(self.path, "wb")
        self.write_calls = 0
        self.bytes_written = 0

    def append(self, batch: KeypointBatch) -> None:
        if len(batch) == 0:
            return
        data = encode_batch(batch, self.compression_level)
        self._fh.write(data)
        self._fh.flush()
        self.write_calls += 1
        self.bytes_written += len(data)

    def close(self, fsync: bool = True) -> None:
        if self._fh.closed:
            return
        self._fh.flush()
        if fsync:
            os.fsync(self._fh.fileno())
        self._fh.close()

    def __enter__(self) -> "KeypointStoreWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def resume_point(path: str | Path) -> tuple[int, int, int]:
    """``(n_frames_stored, last_frame_index, valid_end_offset_bytes)`` of an existing store
    (``last``: the highest frame stored; -1 when none)."""
    frames, end = stored_frames(path)
    return len(frames), int(frames[-1]) if len(frames) else -1, end


def write_manifest(folder: str | Path, manifest: dict[str, Any]) -> None:
    write_json(Path(folder) / MANIFEST_NAME, {"schema_version": SCHEMA_VERSION, **manifest})


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The manifest, or None when absent or unreadable (callers then rebuild the store)."""
    return read_versioned_json(Path(folder) / MANIFEST_NAME, "schema_version", SCHEMA_VERSION)


def source_fingerprint(path: str | Path) -> dict[str, Any]:
    """Identity of an input file: resolved path, size, mtime (ns)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", p) from exc
    return {"path": str(p.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def write_frame_json(folder: str | Path, index: int, record: dict[str, Any]) -> None:
    """One JSON file per frame: the seed's storage, kept only as the benchmark baseline."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"frame_{index:06d}.json").write_bytes(orjson.dumps(record))


def count_files(folder: str | Path) -> int:
    """Number of regular files under ``folder`` (recursively)."""
    return sum(1 for p in Path(folder).rglob("*") if p.is_file())


def unfinished_stores(output_dir: str | Path) -> dict[Path, int]:
    """``{input folder: frames stored}`` for every keypoint store under ``output_dir`` whose extraction
    did not finish (manifest not ``complete``): what an interrupted run kept for the next one to resume."""
    kept: dict[Path, int] = {}
    for manifest_path in sorted(Path(output_dir).glob(f"*/{MANIFEST_NAME}")):
        manifest = read_manifest(manifest_path.parent)
        if manifest is None or manifest.get("complete"):
            continue
        try:
            kept[manifest_path.parent] = resume_point(manifest_path.parent / STORE_NAME)[0]
        except Exception:  # a damaged store keeps nothing; the next run rebuilds it
            kept[manifest_path.parent] = 0
    return kept
