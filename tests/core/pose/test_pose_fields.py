"""Interlaced video: each frame weaves two fields a field period apart; the decoder gives the pose model
the first field alone, at the frame's size, so a moving limb is seen once, not as a comb of two."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from core.pose.fields import first_field, top_field_first
from core.pose.video import iter_frames

W, H = 320, 240


def _fields(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The two fields' pictures of frame ``k``: a white bar that moves 40 px between them (grey scenery)."""
    first, second = np.full((H, W, 3), 90, np.uint8), np.full((H, W, 3), 90, np.uint8)
    x = 40 + 4 * k
    first[60:180, x:x + 30] = 250
    second[60:180, x + 40:x + 70] = 250
    return first, second


def _interlaced_h264(path: Path, top_first: bool, n: int = 12) -> Path:
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25, options={
            "x264-params": f"interlaced=1:{'tff' if top_first else 'bff'}=1", "crf": "12"})
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for k in range(n):
            first, second = _fields(k)
            woven = first.copy()
            rows = slice(1, None, 2) if top_first else slice(0, None, 2)  # the second field's rows
            woven[rows] = second[rows]
            frame = av.VideoFrame.from_ndarray(woven, format="bgr24")
            frame.pts, frame.time_base = k, Fraction(1, 25)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def test_first_field_and_field_order():
    woven = np.zeros((4, 2, 3), np.uint8)
    woven[0::2], woven[1::2] = 10, 200
    assert (first_field(woven, True, 2, 4) == 10).all() and (first_field(woven, False, 1, 2) == 200).all()
    assert top_field_first(2) and top_field_first(None) and top_field_first(0)
    assert not top_field_first(3) and not top_field_first(5) and not top_field_first("bb")


@pytest.mark.parametrize("top_first", [True, False])
def test_an_interlaced_video_decodes_to_its_first_field(tmp_path: Path, top_first: bool):
    path = _interlaced_h264(tmp_path / "i.mp4", top_first)
    frames = list(iter_frames(path, decoder="pyav"))
    assert len(frames) == 12
    for frame in frames:
        assert frame.image.shape == (H, W, 3) and frame.scale == 1.0
        first, second = _fields(frame.index)
        bar_first, bar_second = (first[:, :, 0] > 170), (second[:, :, 0] > 170) & ~(first[:, :, 0] > 170)
        seen = frame.image[:, :, 0] > 170
        assert seen[bar_first].mean() > 0.9  # the first field's bar, whole
        assert seen[bar_second].mean() < 0.05  # not the second field's
    assert [round(f.time_s, 3) for f in frames[:3]] == [0.0, 0.04, 0.08]


def test_an_interlaced_video_is_scaled_like_any_other(tmp_path: Path):
    path = _interlaced_h264(tmp_path / "i.mp4", True, n=3)
    frames = list(iter_frames(path, decoder="pyav", max_side_px=160))
    assert [f.image.shape for f in frames] == [(120, 160, 3)] * 3 and frames[0].scale == pytest.approx(0.5)
