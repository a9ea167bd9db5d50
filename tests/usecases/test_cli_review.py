"""Review outputs of the CLI: events_review.png (with plots) and review.mp4 (--review-video)."""

from __future__ import annotations

from pathlib import Path

import pytest

from usecases.gait_analysis.cli import main


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.synthetic import GaitParams, generate_walking_video

    path = tmp_path_factory.mktemp("review") / "clip.mp4"
    generate_walking_video(path, GaitParams(duration_s=4.0, fps=30.0, width_px=640, height_px=360, seed=5))
    return path


@pytest.fixture(scope="module")
def run(clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("review_out")
    assert main(["--videos", str(clip), "--output", str(out), "-q", "--review-video"]) == 0
    return out / "clip"


def test_events_review_has_one_tile_per_event(run: Path):
    from matplotlib.image import imread

    from core.io.events_csv import read_events_csv
    from core.report.review import sheet_shape
    from usecases.gait_analysis.review import TILE_PX

    n_events = len(read_events_csv(run / "events.csv"))
    assert n_events >= 4
    assert imread(run / "events_review.png").shape[:2] == sheet_shape(n_events, TILE_PX)


def test_review_video_has_the_input_frame_count(run: Path, clip: Path):
    from core.pose.video import probe_video

    review, source = probe_video(run / "review.mp4"), probe_video(clip)
    assert review.n_frames == source.n_frames == 120
    assert (review.width, review.height) == (source.width, source.height)


def test_no_plots_and_no_review_flag_write_neither(run: Path, clip: Path):
    out = run.parent
    for name in ("events_review.png", "review.mp4"):
        (run / name).unlink()
    assert main(["--videos", str(clip), "--output", str(out), "-q", "--no-plots"]) == 0
    assert not (run / "events_review.png").exists() and not (run / "review.mp4").exists()
    assert (run / "events.csv").is_file()


def test_a_failed_analysis_still_writes_the_review_video(tmp_path: Path):
    from core.pose.video import probe_video
    from core.synthetic import GaitParams, generate_walking_video

    short = tmp_path / "short.mp4"  # too short for a stride: "no gait event detected"
    generate_walking_video(short, GaitParams(duration_s=1.0, width_px=320, height_px=240, seed=3))
    assert main(["--videos", str(short), "--output", str(tmp_path / "out"), "-q", "--review-video"]) == 1
    folder = tmp_path / "out" / "short"
    assert probe_video(folder / "review.mp4").n_frames == 30
    assert not (folder / "events_review.png").exists()
