"""Fault injection, outputs and safety: atomic result files, disk full, safe model loading, output names
that stay inside the output folder, and no network access at run time."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

from core.io.keypoint_store import STORE_NAME, KeypointStoreWriter, read_store, resume_point
from core.synthetic import GaitParams, generate_walking_video, simulate_walk
from tests.usecases.reliability_media import assert_no_partial_files, assert_reported, run_cli, small_config, write_trc_from_truth

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("core", "usecases") for p in sorted((ROOT / d).rglob("*.py"))]


def _code_lines(pattern: str) -> list[str]:
    """``file:line: text`` of every source line (comments aside) matching ``pattern``."""
    hits = []
    for path in SOURCES:
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(pattern, code):
                hits.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    return hits


@pytest.fixture(scope="module")
def trc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keypoint file (the truth of a 4 s synthetic walk) for runs that need no video."""
    _, _, truth = simulate_walk(GaitParams(duration_s=4.0, fps=30.0, width_px=320, height_px=240, seed=21))
    return write_trc_from_truth(tmp_path_factory.mktemp("trc") / "walk.trc", truth)


@pytest.fixture(scope="module")
def short_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    generate_walking_video(path, GaitParams(duration_s=1.5, fps=30.0, width_px=320, height_px=240, seed=22))
    return path


# ---------------------------------------------------------------- atomic writes

ALLOWED_PLAIN_WRITES = {
    "core/io/atomic.py",  # the atomic writer itself
    "core/io/keypoint_store.py",  # append-only store: a torn tail is detected and cut on resume
    "core/io/inputs.py",  # the lock file
    "core/io/video_writer.py",  # writes a temporary sibling, then renames
    "core/io/people_tracks.py",  # savez into memory, then the atomic write_bytes
}


def test_result_files_are_written_through_the_atomic_writer():
    pattern = (r"\bopen\([^)]*['\"][wax]b?\+?['\"]|\.write_(text|bytes)\(|\.savefig\(|torch\.save\(|"
               r"\bnp\.save(z|z_compressed|txt)?\(|json\.dump\(|\.to_csv\(|\.tofile\(|shutil\.(copy|move)|"
               r"os\.(rename|replace)\(|VideoWriter\(")
    plain = [hit for hit in _code_lines(pattern)
             if hit.split(":", 1)[0] not in ALLOWED_PLAIN_WRITES and not _inside_atomic_open(hit)]
    assert plain == [], "write result files with core.io.atomic:\n" + "\n".join(plain)


def _inside_atomic_open(hit: str) -> bool:
    """The hit writes to the handle of a ``with atomic_open(...)`` block opened just above it."""
    rel, no, _ = hit.split(":", 2)
    above = (ROOT / rel).read_text(encoding="utf-8").splitlines()[max(0, int(no) - 4): int(no) - 1]
    return any(re.search(r"with atomic_open\(.*\) as fh:", line) for line in above) and bool(re.search(r"[(,]\s*fh\s*[,)]", hit))


def _fail_fsync_for(monkeypatch: pytest.MonkeyPatch, fragment: str) -> list[str]:
    """``os.fsync`` raises ENOSPC for files whose path contains ``fragment`` (as a full disk would)."""
    real, hits = os.fsync, []

    def fsync(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        if fragment in target:
            hits.append(target)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return hits


def test_disk_full_while_writing_results_keeps_the_earlier_ones(trc, tmp_path, monkeypatch):
    other = shutil.copy(trc, tmp_path / "other.trc")
    out = tmp_path / "out"
    args = ["--keypoints", str(trc), str(other), "--output", str(out), "-q", "--no-plots"]
    assert run_cli(args).code == 0
    before = {p: p.read_bytes() for p in (out / "walk").iterdir()}
    hits = _fail_fsync_for(monkeypatch, str(out / "walk" / ".gait_parameters.json"))
    run = run_cli(args)
    assert hits
    target = out / "walk" / "gait_parameters.json"
    assert_reported(run, trc, re.escape(f"{target}: cannot write file (No space left on device)"))
    assert {p: p.read_bytes() for p in (out / "walk").iterdir()}.keys() == before.keys()
    assert target.read_bytes() == before[target]
    assert (out / "other" / "gait_parameters.json").exists() and run.code == 1
    assert_no_partial_files(out)


def test_disk_full_while_writing_the_keypoint_store(short_video, trc, tmp_path, monkeypatch):
    out = tmp_path / "out"
    config = small_config(tmp_path / "small.json", io={"batch_frames": 20})
    args = ["--videos", str(short_video), "--keypoints", str(trc), "--output", str(out), "--config", str(config),
            "--workers", "1", "-q", "--no-plots", "--extract-only"]
    real_append, calls = KeypointStoreWriter.append, []

    def append(self: KeypointStoreWriter, batch) -> None:  # noqa: ANN001
        calls.append(len(batch))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_append(self, batch)

    monkeypatch.setattr(KeypointStoreWriter, "append", append)
    run = run_cli(args)
    store = out / "clip" / STORE_NAME
    assert_reported(run, short_video, re.escape(
        f"{store}: cannot write the keypoint store (No space left on device); the frames stored so far are "
        "kept and a rerun resumes from them"))
    assert (out / "walk" / "gait_parameters.json").exists()
    assert resume_point(store)[0] == 20
    assert_no_partial_files(out)

    monkeypatch.setattr(KeypointStoreWriter, "append", real_append)
    rerun = run_cli([a for a in args if a != "-q"])
    assert rerun.code == 0, rerun.err
    assert f"{short_video}: resuming: 20 frames already stored; extracting the 25 missing frames" in rerun.err.splitlines()
    np.testing.assert_array_equal(read_store(store).frame, np.arange(45))


# ---------------------------------------------------------------- safe loading

def test_nothing_unpickles_except_weights_only_checkpoints():
    unsafe = _code_lines(r"pickle\.loads?\(|allow_pickle\s*=\s*True|joblib|dill\.|shelve\.|marshal\.loads?\(|"
                         r"yaml\.load\(|yaml\.unsafe_load")
    assert unsafe == []
    loads = _code_lines(r"torch\.load\(")
    assert loads and all("weights_only=True" in hit for hit in loads), loads
    np_loads = _code_lines(r"\bnp\.load\(")
    assert all("allow_pickle=False" in hit for hit in np_loads), np_loads


class _Payload:
    """Unpickling this would create a file: the stand-in for arbitrary code in a malicious model file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204
        return open, (str(self.marker), "w")


def test_malicious_checkpoint_is_refused_and_the_analysis_kept(trc, tmp_path):
    import torch

    marker = tmp_path / "pwned"
    model = tmp_path / "model.pt"
    torch.save({"task": "events", "state_dict": {}, "payload": _Payload(marker)}, model)
    out = tmp_path / "out"
    run = run_cli(["--keypoints", str(trc), "--model", str(model), "--output", str(out), "-q", "--no-plots"])
    entry = assert_reported(run, model, re.escape(
        "refused to load: the checkpoint holds Python objects, not only tensors and plain data (it refers to "
        "io.open); only checkpoints saved by this tool are loaded"))
    assert entry["kind"] == "training"
    assert not marker.exists()
    assert (out / "walk" / "gait_parameters.json").exists() and (out / "summary.csv").exists()


# ---------------------------------------------------------------- output names

def test_output_names_from_odd_input_paths_stay_inside_the_output_folder(trc, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    inputs = [shutil.copy(trc, src / name) for name in ("..trc", "a b$c;rm -rf ~.trc", "training.trc", "wälk.trc")]
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "linked").symlink_to(outside)  # a link planted where an input's folder would go
    linked = shutil.copy(trc, src / "linked.trc")
    run = run_cli(["--keypoints", *map(str, inputs), str(linked), "--output", str(out), "-q", "--no-plots"])
    assert_reported(run, linked, r"output folder for 'linked' would be outside .*symbolic link")
    assert list(outside.iterdir()) == []
    folders = {p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink()}
    assert {"input", "a_b_c_rm_-rf", "wälk"} <= folders
    assert any(re.fullmatch(r"training-[0-9a-f]{8}", f) for f in folders) and "training" not in folders
    assert all((out / f).resolve().parent == out.resolve() for f in folders)


def test_inputs_whose_names_collide_get_distinct_folders(tmp_path):
    from core.io.inputs import output_names

    paths = [tmp_path / n for n in ("walk.mp4", "walk.mov", "walk 1.mp4", "walk_1.mp4", "Walk.MP4", "other.mp4")]
    names = output_names(paths)
    assert len({n.lower() for n in names.values()}) == len(paths)
    assert names[tmp_path / "other.mp4"] == "other"


# ---------------------------------------------------------------- network

def test_no_network_access_at_run_time(short_video, trc, tmp_path, monkeypatch):
    attempts: list[str] = []

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        attempts.append(repr(args[:2]))
        raise OSError(errno.ENETUNREACH, "network access is not allowed in this test")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    out = tmp_path / "out"
    run = run_cli(["--videos", str(short_video), "--keypoints", str(trc), "--output", str(out),
                   "--performance-mode", "fast", "--workers", "1", "--extract-only", "-q", "--no-plots"])
    assert run.code == 0, run.err
    assert attempts == []
    assert len(read_store(out / "clip" / STORE_NAME)) > 0
    assert json.loads((out / "walk" / "gait_parameters.json").read_text())["cadence_steps_per_min"] > 0
