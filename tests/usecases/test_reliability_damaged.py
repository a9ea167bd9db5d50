"""Fault injection, damaged H.264 files (a bad copy, an interrupted transfer of a streaming-friendly MP4):
the decoder rejects some packets; the run skips them, analyses the rest and says what was lost."""

from __future__ import annotations

import numpy as np

from core.io.atomic import read_json
from core.io.keypoint_store import STORE_NAME, read_store
from core.synthetic import GaitParams
from tests.usecases.reliability_media import damage_packets, remux_faststart, run_cli, truncate, walk, write_av


def test_damaged_and_cut_h264_videos_are_analysed_with_a_note(tmp_path):
    frames, _ = walk(GaitParams(duration_s=5.0, fps=30.0, width_px=480, height_px=270, seed=21))
    clean = write_av(tmp_path / "src" / "walk.mp4", frames, np.arange(150) / 30.0, codec="libx264")
    damaged = damage_packets(clean, tmp_path / "damaged.mp4", {70, 71, 72})
    cut = truncate(remux_faststart(clean, tmp_path / "fast.mp4"), tmp_path / "cut.mp4", 0.75)
    out = tmp_path / "out"
    run = run_cli(["--videos", str(damaged), str(cut), "--output", str(out), "--no-plots"])
    assert "pose extraction failed" not in run.err and "Invalid data" not in run.err, run.err
    assert run.code == 0, run.err
    store = read_store(out / "damaged" / STORE_NAME)
    assert 130 <= len(store) < 150 and np.all(np.diff(store.frame) > 0) and store.frame[-1] == 149
    lost = 150 - len(store)
    assert f"note: {lost} frame(s) up to frame 149 could not be decoded (damaged data in the file)" in run.out, run.out
    assert any("could not be decoded (damaged data" in ln for ln in run.error_lines(damaged))
    saved = read_json(out / "damaged" / "gait_parameters.json")["notes"]  # the file says it too, once
    assert sum("could not be decoded (damaged data" in n for n in saved) == 1, saved
    cut_store = read_store(out / "cut" / STORE_NAME)
    assert 90 <= len(cut_store) < 120
    assert any("decoding ended at frame" in ln for ln in run.error_lines(cut))
