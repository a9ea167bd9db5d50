"""A phone held too low: the frame's bottom edge cuts the walker's feet. The video is refused with the reason
(the pose model still places heels and toes just past the edge, and events from them would be guesses),
and its landmarks are still written; the same walk with the feet in view is analysed."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.synthetic import GaitParams
from tests.usecases.reliability_media import assert_reported, run_cli, walk, write_mp4

PARAMS = GaitParams(duration_s=4.0, fps=30.0, width_px=640, height_px=360, seed=21)


@pytest.fixture(scope="module")
def feet_cut(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The walk cropped from the bottom to 12 % of the walker's height above the soles (feet and ankles out)."""
    frames, truth = walk(PARAMS)
    walker = truth["people"][0]
    soles = max(box[3] for box in walker["box_px"])
    keep = int(soles - 0.12 * float(walker["height_px"])) // 2 * 2
    path = tmp_path_factory.mktemp("feet") / "feet_cut.mp4"
    return write_mp4(path, (f[:keep] for f in frames), PARAMS.fps, (PARAMS.width_px, keep))


def test_feet_below_the_frame_are_refused_with_the_reason(feet_cut: Path, tmp_path: Path):
    run = run_cli(["--videos", str(feet_cut), "--output", str(tmp_path), "--no-plots", "--workers", "1"])
    assert run.code == 1
    assert_reported(run, feet_cut, r"feet not in view: the heels lie at the bottom edge of the frame or below it "
                                   r"in \d+% .*film the whole body, feet included")
    folder = tmp_path / "feet_cut"
    assert (folder / "landmarks.csv").is_file() and (folder / "feet_cut.trc").is_file()
    assert not (folder / "events.csv").exists()
