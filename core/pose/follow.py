"""Scan phase: find everyone every few frames, track them, choose the walker, and plan a crop that
follows the walker through every frame (so pose sees the walker large and nobody else takes over)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from core.errors import NoWalkerError
from core.pose.glance import GlancePart, GlanceTask, glance
from core.pose.leg_motion import leg_motion
from core.pose.people import FinderConfig, shared_finder
from core.pose.follow_path import FollowPath, follow_path, others_along
from core.pose.roi import Roi
from core.pose.scan_pan import PAN_GAP_FRAMES, PAN_WIDTH_PX, integrate_pan, pan_speed, people_near, small_grey
from core.pose.frame_select import packet_index, read_scaled_frames_at
from core.pose.static_tiles import StaticTiles
from core.pose.scan_plan import COARSE_STEP, COARSE_TRACKER, DEFAULT_STEP, keyframe_cuts, refine_frames, tile_level
from core.pose.tracking import Track, TrackerConfig, for_scan_period, track_people
from core.pose.interleaved import join_interleaved
from core.pose.turn_takers import join_turn_takers
from core.pose.walker_choice import TrackSummary, choose_walker, ground_direction_x, ground_directions_x, summarise

ALTERNATE_TILE_SIZES = True  # halves the finder's cost (scripts/benchmark_finder_cost.py)
SCAN_MAX_SIDE_PX = 1280  # frames are scanned at most this large (tiles are resized to 224 anyway)
HUE_BINS, SAT_BINS = 12, 4  # appearance histogram of each person's torso and legs
MIN_SCANS_PER_PART = 8  # a scan task covers at least this many scans (each task opens the video and the detector)
OPEN_END = 1 << 62  # "to the end of the video": the metadata's frame count may be short
_MAX_FRAMES_UNINDEXED = 1 << 20  # frames asked for when the packets cannot be indexed (decoding stops at the end)


@dataclass(frozen=True)
class ScanResult:
    """Everything the scan saw: tracks, the chosen track id, each track's summary (chosen first),
    the scanned frames and the scenery's cumulative x pan (px) at each, and the crop path. Without
    a walker: chosen_id and path None, and ``error`` says why."""

    tracks: list[Track]
    chosen_id: int | None
    summaries: list[TrackSummary]
    scan_frames: np.ndarray
    pan_px: np.ndarray
    path: FollowPath | None
    error: str = ""


@dataclass(frozen=True)
class ScanTask:
    """The scans of video frames ``[start, stop)`` (every ``step`` x ``every``-th frame, counted from 0;
    or the grid frames ``frames`` when given), a picklable unit of the scan phase that any worker with
    the video can run (``scan_part``). ``skip_loop_filter``: decode H.264/HEVC without the in-loop
    deblocking filter (the profile's ``pose.skip_loop_filter``)."""

    video_path: str
    start: int
    stop: int
    every: int
    roi: Roi | None = None
    finder: FinderConfig = FinderConfig()
    step: int = 1
    frames: tuple[int, ...] = ()
    skip_loop_filter: bool = False


@dataclass
class ScanPart:
    """What ``scan_part`` found: per scan (index, boxes in small-grey px, scores, appearance, leg motion), the
    scenery's pan speed at each scan (small-grey px per frame; NaN where a neighbour scan outside
    the part is needed: first and last), the small grey pairs of those two, and original-frame px
    per small-grey px."""

    scans: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    speeds: list[float]
    edge_pairs: dict[int, tuple[np.ndarray, np.ndarray] | None]
    px_per_small: float


def scan_every(fps: float, every_s: float) -> int:
    """Video frames between two scans, one every ``every_s`` seconds (the profile's ``pose.scan_every_s``)."""
    return max(1, int(round(every_s * fps)))


def scan_tasks(video: Path, n_frames: int, fps: float, parts: int = 1, roi: Roi | None = None,
               finder_cfg: FinderConfig = FinderConfig(), min_scans: int = MIN_SCANS_PER_PART,
               step: int = 1, skip_loop_filter: bool = False, *, every_s: float) -> list[ScanTask]:
    """The scan of ``video`` (one grid scan every ``every_s`` seconds, every ``step``-th of them) cut into at
    most ``parts`` tasks of whole scans (about ``min_scans`` or more each), each cut moved to a keyframe
    where one is near (``keyframe_cuts``); the last runs to the video's end, whatever its frame count."""
    every = scan_every(fps, every_s)
    n_scans = max(1, -(-n_frames // (every * step)))
    parts = max(1, min(parts, n_scans // max(1, min_scans)))
    cuts = [round(k * n_scans / parts) * every * step for k in range(1, parts)]
    index = packet_index(video) if parts > 1 else None
    if index is not None:  # no keyframe interval decoded by two parts
        gap = PAN_GAP_FRAMES if every > PAN_GAP_FRAMES else 0
        cuts = keyframe_cuts(cuts, every * step, gap, index.keyframes(), max(0, n_scans // parts // 4))
    bounds = [0, *cuts, OPEN_END]
    return [ScanTask(str(video), a, b, every, roi, finder_cfg, step, skip_loop_filter=skip_loop_filter)
            for a, b in zip(bounds, bounds[1:])]


def frame_tasks(video: Path, frames: list[int], every: int, parts: int = 1, roi: Roi | None = None,
                finder_cfg: FinderConfig = FinderConfig(), min_scans: int = MIN_SCANS_PER_PART,
                skip_loop_filter: bool = False) -> list[ScanTask]:
    """The scans of the grid ``frames`` (ascending) cut into at most ``parts`` tasks (at least
    ``min_scans`` each)."""
    parts = max(1, min(parts, len(frames) // max(1, min_scans)))
    cuts = [round(k * len(frames) / parts) for k in range(parts + 1)]
    return [ScanTask(str(video), frames[a], frames[b - 1] + 1, every, roi, finder_cfg, frames=tuple(frames[a:b]),
                     skip_loop_filter=skip_loop_filter) for a, b in zip(cuts, cuts[1:]) if b > a]


def scan_part(task: ScanTask) -> ScanPart:
    """Find everyone in the task's scan frames, and measure the pan at each from its pair frame
    ``PAN_GAP_FRAMES`` later. With ``ALTERNATE_TILE_SIZES`` the tile sizes take turns
    (``core.pose.scan_plan.tile_level``: each size sees the video every few scans; a person fits one
    or both); a tile that found nobody is not run again while its picture stays the same
    (``core.pose.static_tiles``, this task's memory: a task's first run of each tile always runs it). A task of
    scattered ``frames`` keeps every pair (its scans' neighbours are elsewhere)."""
    finder = shared_finder(task.finder)
    levels = task.finder.tile_fractions
    scans: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    pairs: list[tuple[np.ndarray, np.ndarray] | None] = []
    px_per_small = 1.0
    memory = StaticTiles(task.finder.static_max_change_grey) if task.finder.static_max_change_grey > 0 else None
    for index, image, pair, scale in _scan_frames(Path(task.video_path), task.start, task.stop, task.every,
                                                  task.step, task.frames, task.skip_loop_filter):
        h, w = image.shape[:2]
        px_per_small = w / PAN_WIDTH_PX / scale  # original-frame px per small-grey px
        region = task.roi.pixel_box(w, h) if task.roi else None
        level = tile_level(index, task.every, len(levels), task.step if not task.frames else COARSE_STEP)
        boxes, scores = finder.find(image, region, (levels[level],) if ALTERNATE_TILE_SIZES else None, memory)
        small = boxes * (PAN_WIDTH_PX / w)  # boxes in small-grey px for now
        pairs.append(None if pair is None else (small_grey(image), small_grey(pair)))
        legs = leg_motion(*pairs[-1], small) if pairs[-1] is not None else np.full(len(boxes), np.nan)
        scans.append((index, small, scores, appearance_features(image, boxes), legs))
    inner = range(1, len(scans) - 1) if not task.frames else range(0)
    speeds = [pan_speed(pairs[k], people_near(scans, k)) if k in inner else float("nan") for k in range(len(scans))]
    edges = {k: pairs[k] for k in range(len(scans)) if k not in inner}
    return ScanPart(scans, speeds, edges, px_per_small)


def scan_video(
    video: Path, n_frames: int, fps: float, width_px: int, height_px: int, mode: str = "auto",
    roi: Roi | None = None, finder_cfg: FinderConfig = FinderConfig(),
    tracker_cfg: TrackerConfig = TrackerConfig(), run_parts: Callable[[list[ScanTask]], list[ScanPart]] | None = None,
    parts: int = 1, coarse_step: int = DEFAULT_STEP, skip_loop_filter: bool = False, *, every_s: float,
) -> ScanResult:
    """Scan ``video`` on a grid of one scan every ``every_s`` seconds (``pose.scan_every_s``): every
    ``coarse_step``-th grid scan, then the grid scans between wherever that coarse pass is unsure
    (``core.pose.scan_plan``; 1: every grid scan); choose the walker (see ``choose_walker``) and plan the crop.
    ``run_parts``: runs the scan tasks (``parts`` of them, e.g. on the worker pool) and returns
    their parts in order; default: one after the other in this process. Any cut gives the same result.
    ``tracker_cfg`` is for scans ``TUNED_PERIOD_S`` apart (``core.pose.tracking.for_scan_period``).
    ``skip_loop_filter``: the scan decodes without the in-loop deblocking filter (``ScanTask``)."""
    run = run_parts or (lambda tasks: [scan_part(t) for t in tasks])
    step = coarse_step if scan_every(fps, every_s) > PAN_GAP_FRAMES else 1
    tasks = scan_tasks(video, n_frames, fps, parts, roi, finder_cfg, step=step, skip_loop_filter=skip_loop_filter,
                       every_s=every_s)
    every = tasks[0].every
    done = run(tasks)
    if step > 1:
        coarse = _joined(done)
        tracks = track_people(coarse, COARSE_TRACKER)
        extra = refine_frames([s[0] for s in coarse], [s[1] for s in coarse], tracks, every)
        if extra:
            done += run(frame_tasks(video, extra, every, parts, roi, finder_cfg, skip_loop_filter=skip_loop_filter))
    return finish_scan(done, every, n_frames, width_px, height_px, mode, for_scan_period(tracker_cfg, every_s),
                       fine_tile_px(finder_cfg, width_px, height_px))


def fine_tile_px(finder_cfg: FinderConfig, width_px: int, height_px: int) -> float:
    """The finer tile's side in frame px where the scans alternate tile sizes (``ALTERNATE_TILE_SIZES``
    with more than one size), else 0 (``core.pose.turn_takers``)."""
    if not ALTERNATE_TILE_SIZES or len(finder_cfg.tile_fractions) < 2:
        return 0.0
    return min(finder_cfg.tile_fractions) * min(width_px, height_px)  # tiles cover the frame, ROI or not


def _joined(parts: list[ScanPart]) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The parts' scans in frame order, boxes in original-frame px."""
    scans = [(s[0], s[1] * p.px_per_small, *s[2:]) for p in parts for s in p.scans]
    return sorted(scans, key=lambda s: s[0])


def finish_scan(parts: list[ScanPart], every: int, n_frames: int, width_px: int, height_px: int,
                mode: str = "auto", tracker_cfg: TrackerConfig = TrackerConfig(),
                fine_tile: float = 0.0) -> ScanResult:
    """Join the scan's parts (in any order, each in frame order): pan at every scan, tracks, the walker
    and the crop (``every``: the scan grid's interval in frames; ``fine_tile``: ``fine_tile_px``, for
    joining one walker's pieces that took turns, ``core.pose.turn_takers``; pieces that alternate around an
    occluder or a turn are joined too, ``core.pose.interleaved``)."""
    entries = sorted(((s[0], s, p, k) for p in parts for k, s in enumerate(p.scans)), key=lambda e: e[0])
    scans = [e[1] for e in entries]
    speeds = []
    for i, (_, _, p, k) in enumerate(entries):
        v = pan_speed(p.edge_pairs[k], people_near(scans, i)) if k in p.edge_pairs else p.speeds[k]
        speeds.append(v * p.px_per_small)
    px_per_small = parts[-1].px_per_small if parts else 1.0
    scans = [(f, b * px_per_small, *rest) for f, b, *rest in scans]
    pan = integrate_pan(np.array(speeds), np.array([s[0] for s in scans], dtype=float))
    tracks = join_interleaved(join_turn_takers(track_people(scans, tracker_cfg), fine_tile), every)
    scan_frames = np.array([s[0] for s in scans], dtype=float)
    frame_size = (width_px, height_px)
    try:
        chosen, summaries = choose_walker(tracks, mode, pan, scan_frames, frame_size)
        if chosen not in tracks:  # the pieces of one person, joined (``one_person_in_place``)
            tracks = [chosen]
    except NoWalkerError as exc:
        sums = [replace(summarise(t, pan, scan_frames, frame_size), reason="not chosen: " + exc.reason) for t in tracks]
        return ScanResult(tracks, None, sums, scan_frames, pan, None, exc.reason)
    path = follow_path(chosen, n_frames, width_px, height_px, ground_direction_x(chosen, pan, scan_frames),
                       ground_directions_x(chosen, pan, scan_frames))
    others = [(np.asarray(t.frames, dtype=float), np.asarray(t.boxes, dtype=float)) for t in tracks if t is not chosen]
    path = replace(path, others_px=others_along(others, path.first_frame, len(path.boxes_px)))
    return ScanResult(tracks, chosen.track_id, summaries, scan_frames, pan, path)


def _scan_frames(video: Path, start: int, stop: int, every: int, step: int = 1,  # noqa: ANN202 - generator
                 frames: tuple[int, ...] = (), skip_loop_filter: bool = False):
    """Every ``step`` x ``every``-th frame in ``[start, stop)``, or the grid ``frames`` (each at most
    ``SCAN_MAX_SIDE_PX``), with the frame
    ``PAN_GAP_FRAMES`` after it (None past the end): (index, image, pair image or None, scale =
    image px / original px). Only these frames and what they need are decoded, and a larger frame is scaled
    in YUV before its conversion (``read_scaled_frames_at``)."""
    index = packet_index(video)
    stop = min(stop, len(index.pts)) if index is not None else min(stop, _MAX_FRAMES_UNINDEXED)
    gap = PAN_GAP_FRAMES if every > PAN_GAP_FRAMES else 0  # no pair when the scans are closer
    period = every * step
    scans = [f for f in frames if f < stop] if frames else range(-(-start // period) * period, stop, period)
    wanted = [i for s in scans for i in ((s, s + gap) if gap else (s,))]
    pending = None
    for index_, image, scale in read_scaled_frames_at(video, wanted, SCAN_MAX_SIDE_PX,
                                                      skip_loop_filter=skip_loop_filter):
        if index_ % every == 0:
            if pending is not None:
                yield (*pending[:2], None, pending[2])
            pending = (index_, image, scale)
        elif pending is not None and index_ == pending[0] + gap:
            yield (pending[0], pending[1], image, pending[2])
            pending = None
    if pending is not None:
        yield (pending[0], pending[1], None, pending[2])


def appearance_features(bgr: np.ndarray, boxes_px: np.ndarray) -> np.ndarray:
    """(n, HUE_BINS * SAT_BINS) hue-saturation histograms (each summing to 1; zeros for an empty box) of
    each box's torso and legs: the middle half of its width, from a quarter to 95 % of its height
    (``boxes_px`` (n, 4) in ``bgr``'s px). Clothes tell two people apart where their boxes meet."""
    import cv2

    h, w = bgr.shape[:2]
    out = np.zeros((len(boxes_px), HUE_BINS * SAT_BINS), np.float32)
    for i, (x0, y0, x1, y1) in enumerate(np.asarray(boxes_px, float).reshape(-1, 4)):
        bw, bh = x1 - x0, y1 - y0
        c0, c1 = int(max(0, x0 + bw / 4)), int(min(w, x1 - bw / 4))
        r0, r1 = int(max(0, y0 + bh / 4)), int(min(h, y0 + 0.95 * bh))
        if c1 - c0 < 2 or r1 - r0 < 2:
            continue
        hsv = cv2.cvtColor(np.ascontiguousarray(bgr[r0:r1, c0:c1]), cv2.COLOR_BGR2HSV)
        hist = cv2.calcHist([hsv], [0, 1], None, [HUE_BINS, SAT_BINS], [0, 180, 0, 256]).ravel()
        out[i] = hist / max(float(hist.sum()), 1.0)
    return out


def plan_follow(
    video: Path, out_dir: Path, n_frames: int, fps: float, width_px: int, height_px: int, mode: str,
    roi: Roi | None, reuse: bool = False, run_parts: Callable[[list[ScanTask]], list[ScanPart]] | None = None,
    parts: int = 1, run_glance: Callable[[list[GlanceTask]], list[GlancePart]] | None = None,
    skip_loop_filter: bool = False, *, every_s: float,
) -> FollowPath | None:
    """The crop path for ``video``, from ``out_dir``'s people file when ``reuse`` (a resumed run) and
    it was made with the same ``mode`` and ``roi``, else from a new scan (saved there). None when the finder
    saw nobody at all (pose then searches the whole frame, or the ``roi``, as before). ``run_parts``
    and ``parts``: where the scan runs, as in ``scan_video``; ``run_glance``: where the glance's
    ``parts`` run (``core.pose.glance.glance``). A people file marked by
    ``core.io.people_tracks.mark_scan_needed`` (the whole frame gave someone else's poses) skips the glance.
    ``skip_loop_filter``: the scan decodes without the in-loop deblocking filter (``ScanTask``); ``every_s``:
    seconds between two scans (``pose.scan_every_s``)."""
    from core.io.people_tracks import read_people, write_people

    roi_list = None if roi is None else [roi.x0, roi.y0, roi.x1, roi.y1]
    got = read_people(out_dir)
    same = got is not None and got[1].get("mode") == mode and got[1].get("roi") == roi_list
    overruled = str(got[1].get("glance_overruled", "")) if same and got is not None else ""
    if reuse and same and got is not None and not got[1].get("scan_needed"):
        arrays, meta = got
        if meta.get("error"):
            raise NoWalkerError(meta["error"], video)
        if meta.get("chosen_id") is None or meta.get("whole_frame"):
            return None
        directions = arrays.get("path_directions")
        path = FollowPath(int(arrays["path_first_frame"]), arrays["path_boxes"], arrays.get("path_centres"),
                          int(arrays.get("path_direction", 0)), frame_side_px=max(width_px, height_px),
                          directions_x=directions if directions is not None and len(directions) else None)
        return replace(path, others_px=others_along(_stored_others(arrays, int(meta["chosen_id"])),
                                                     path.first_frame, len(path.boxes_px)))
    glancing = mode == "auto" and not overruled  # the glance's lone walker was someone else's poses last time
    lone = glance(video, n_frames, fps, height_px, roi, run_parts=run_glance, parts=parts) if glancing else None
    if lone is not None:  # one large person alone: the pose model's own detector gets the whole frame
        write_people(out_dir, lone[0], {"mode": mode, "roi": roi_list, **lone[1]})
        return None
    scan = scan_video(video, n_frames, fps, width_px, height_px, mode, roi, run_parts=run_parts, parts=parts,
                      skip_loop_filter=skip_loop_filter, every_s=every_s)
    error = "" if not scan.tracks else scan.error  # nobody found at all: pose searches as before
    write_people(out_dir, scan_arrays(scan), {"mode": mode, "roi": roi_list, "chosen_id": scan.chosen_id,
                                              "error": error, "summaries": [asdict(s) for s in scan.summaries],
                                              **({"glance_overruled": overruled} if overruled else {})})
    if error:
        raise NoWalkerError(error, video)
    return scan.path


def _stored_others(arrays: dict[str, np.ndarray], chosen_id: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The other tracks' sightings (frames, boxes px) from a people file's arrays."""
    out = []
    for k, track_id in enumerate(arrays["track_ids"]):
        seen = np.isfinite(arrays["boxes"][k]).all(axis=1)
        if int(track_id) != chosen_id and seen.any():
            out.append((arrays["scan_frames"][seen].astype(float), arrays["boxes"][k][seen]))
    return out


def scan_arrays(scan: ScanResult) -> dict[str, np.ndarray]:
    """The people file's arrays (see core/io/people_tracks.py)."""
    index = {int(f): i for i, f in enumerate(scan.scan_frames)}
    boxes = np.full((len(scan.tracks), len(scan.scan_frames), 4), np.nan)
    for k, tr in enumerate(scan.tracks):
        for f, b in zip(tr.frames, tr.boxes):
            boxes[k, index[int(f)]] = b
    return {"scan_frames": scan.scan_frames.astype(np.int64), "pan_px": scan.pan_px,
            "track_ids": np.array([t.track_id for t in scan.tracks], dtype=np.int64), "boxes": boxes,
            "path_first_frame": np.array(0 if scan.path is None else scan.path.first_frame),
            "path_boxes": np.zeros((0, 4)) if scan.path is None else scan.path.boxes_px,
            "path_centres": np.zeros((0, 2)) if scan.path is None or scan.path.centres_px is None
            else scan.path.centres_px,
            "path_direction": np.array(0 if scan.path is None else scan.path.direction_x),
            "path_directions": np.zeros(0, dtype=np.int8) if scan.path is None or scan.path.directions_x is None
            else scan.path.directions_x.astype(np.int8)}
