"""The direct pose engine end to end on a short synthetic walk: it finds the walker, agrees with
MediaPipe's graph on the legs, and runs as the extractor's engine when ``pose.engine`` is "direct"."""

import dataclasses

import numpy as np
import pytest

from core.config import load_profile
from core.pose.direct_pose import DirectPoseEstimator
from core.pose.extractor import PoseEstimator, SegmentTask, extract_segment
from core.pose.video import iter_frames

FRAMES = 75  # 2.5 s of the 640x360 walk


@pytest.fixture(scope="module")
def frames(synthetic_video):
    return list(iter_frames(synthetic_video, stop=FRAMES, rgb=True, decoder="pyav"))


def _unsmoothed():
    return dataclasses.replace(load_profile("balanced").pose, smooth_landmarks=False)


def test_direct_engine_finds_the_walker_and_agrees_with_the_graph_on_the_legs(frames):
    with DirectPoseEstimator(_unsmoothed(), 1) as direct, PoseEstimator(_unsmoothed(), 1) as graph:
        ours = [direct.process(f) for f in frames]
        theirs = [graph.process(f) for f in frames]
    assert sum(r is not None for r in ours) >= 0.9 * FRAMES
    both = [(a, b) for a, b in zip(ours, theirs) if a is not None and b is not None]
    assert len(both) >= 0.9 * FRAMES
    legs = np.concatenate([np.linalg.norm(a[0][23:33, :2] - b[0][23:33, :2], axis=1) for a, b in both])
    assert np.median(legs) < 2.0  # px, in a 640x360 frame
    image, world = ours[-1]
    assert image.shape == (33, 5) and world.shape == (33, 3)
    assert np.all((image[:, 3:] >= 0) & (image[:, 3:] <= 1))  # visibility and presence are probabilities
    hips_m = np.linalg.norm(world[23] - world[24])
    assert 0.1 < hips_m < 0.5  # world landmarks in metres


def test_a_box_restricts_the_search_and_nobody_there_is_none(frames):
    with DirectPoseEstimator(_unsmoothed(), 1) as direct:
        assert direct.process(frames[10], np.array([0.0, 0.0, 40.0, 40.0])) is None  # a corner: nobody
        assert direct.process(frames[10], np.array([700.0, 0.0, 900.0, 100.0])) is None  # outside the frame
        found = direct.process(frames[10])
        assert found is not None
        hip_x = found[0][23:25, 0].mean()
        direct.reset()
        away = np.array([hip_x + 200.0, 0.0, hip_x + 400.0, 360.0]) if hip_x < 320 else \
            np.array([0.0, 0.0, hip_x - 200.0, 360.0])
        assert direct.process(frames[11], away) is None  # the walker is outside the box


def test_the_extractor_runs_the_direct_engine_when_configured(synthetic_video):
    pose = dataclasses.replace(load_profile("balanced").pose, engine="direct")
    task = SegmentTask(str(synthetic_video), 0, 30, 0, pose, 1, None, 100, "pyav", 8, 30.0)
    batch = extract_segment(task)
    assert len(batch.frame) == 30 and batch.valid.mean() >= 0.9
    assert np.nanmax(batch.image[:, 23:33, 0]) <= 640 and np.nanmin(batch.image[:, 23:33, 1]) >= 0


def test_the_walkers_box_carries_the_tracked_crop_along(frames):
    """Tracking is relative to the box: a frame and box both moved by 20 px give the same landmarks moved
    by 20 px (the crop sees the same pixels), as the graph, which is handed the box as its image."""
    frame = frames[10]
    hip_x = DirectPoseEstimator(_unsmoothed(), 1).process(frame)[0][23:25, 0].mean()
    box = np.array([hip_x - 150.0, 0.0, hip_x + 150.0, 360.0])
    moved = dataclasses.replace(frame, image=np.roll(frame.image, 20, axis=1))
    results = []
    for image_frame, second_box in ((frame, box), (moved, box + [20.0, 0.0, 20.0, 0.0])):
        with DirectPoseEstimator(_unsmoothed(), 1) as direct:
            direct.process(frame, box)  # detection
            results.append(direct.process(image_frame, second_box)[0])  # tracked
    assert np.allclose(results[1][:, 0], results[0][:, 0] + 20.0, atol=0.05)
    assert np.allclose(results[1][:, 1], results[0][:, 1], atol=0.05)


def test_a_direct_engine_worker_never_imports_mediapipe(synthetic_video):
    # the pool's fork server preloads what the engine needs; MediaPipe's import alone costs ~0.7 s of CPU
    from pathlib import Path
    import subprocess
    import sys

    from core.pose.extractor import worker_modules

    assert "mediapipe" not in worker_modules("direct") and "mediapipe" in worker_modules("graph")
    root = Path(__file__).resolve().parents[3]
    script = (
        f"import sys; sys.path.insert(0, {str(root)!r})\n"
        "from core.config import load_profile\n"
        "from core.pose.extractor import make_estimator, worker_init, worker_modules\n"
        "from core.pose.video import iter_frames\n"
        "import os; os.environ['GAIT_VERBOSE'] = '1'\n"
        "for m in worker_modules('direct'): __import__(m.split(':')[0])\n"
        "worker_init()\n"
        "pose = load_profile('balanced').pose\n"
        "assert pose.engine == 'direct'\n"
        "est = make_estimator(pose, 1, None)\n"
        f"found = [est.process(f) for f in iter_frames({str(synthetic_video)!r}, stop=10, rgb=True, decoder='pyav')]\n"
        "print(sum(r is not None for r in found), 'mediapipe' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    found, imported = out.stdout.split()
    assert int(found) >= 8 and imported == "False"


def test_a_wide_roi_finds_nobody_whose_hips_lie_outside_it(frames):
    from core.pose.roi import Roi

    with DirectPoseEstimator(_unsmoothed(), 1) as whole:
        hip_y = float(whole.process(frames[10])[0][[23, 24], 1].mean())
    above = Roi(0.0, 0.0, 1.0, (hip_y - 40.0) / 360.0)  # a wide band above the hips: its square shows the walker
    with DirectPoseEstimator(_unsmoothed(), 1, roi=above) as direct:
        assert direct.process(frames[10]) is None
    below = Roi(0.0, (hip_y - 40.0) / 360.0, 1.0, 1.0)  # the hips inside, the head outside
    with DirectPoseEstimator(_unsmoothed(), 1, roi=below) as direct:
        assert direct.process(frames[10]) is not None
