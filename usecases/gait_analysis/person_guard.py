"""The whole-frame pose guard applied to a finished store: when the glance sent the whole frame to the
pose model (one large person alone at every glance), poses that are not the walker's become gaps, and
the people file records how many were refused (``person`` block and console note)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from core.io.keypoint_store import KeypointBatch


def guard_whole_frame(batch: KeypointBatch, out_dir: Path) -> KeypointBatch:
    """``batch`` with the poses refused by ``core.pose.frame_guard`` marked as no detection, when the
    people file in ``out_dir`` says the whole frame was posed (what it refused is recorded there);
    else ``batch`` unchanged."""
    from core.io.people_tracks import record_guard
    from core.pose.frame_guard import refusal_words, summarise_refusals

    refused = _refused(batch, out_dir)
    if refused is None:
        return batch
    summary = summarise_refusals(batch.frame, batch.time_s, batch.valid, refused)
    record_guard(out_dir, {"refused": summary.refused, "posed": summary.posed, "crowded": summary.crowded,
                           "span": None if summary.span is None else list(summary.span),
                           "words": refusal_words(summary)})
    return _without(batch, refused)


def glance_overruled(store_path: Path, out_dir: Path) -> str:
    """Why the whole frame must not be trusted for this finished store ('' when it may): the glance sent
    the whole frame to the pose model (one large person alone at every glance), yet the whole-frame guard
    refused enough poses to call it someone else's (``summarise_refusals``'s ``crowded``). The people
    file is then marked so that the next extraction runs the person finder's scan and crop
    (``core.io.people_tracks.mark_scan_needed``)."""
    from core.io.keypoint_store import read_store
    from core.io.people_tracks import mark_scan_needed, read_people
    from core.pose.frame_guard import refused_poses, summarise_refusals

    got = read_people(out_dir)
    if got is not None and got[1].get("scan_needed"):  # marked, and not scanned since (an interrupted run)
        return str(got[1].get("glance_overruled", "marked for the person finder's scan"))
    if got is None or not got[1].get("whole_frame") or not Path(store_path).is_file():
        return ""
    batch = read_store(store_path)
    summary = summarise_refusals(batch.frame, batch.time_s, batch.valid,
                                 refused_poses(batch.frame, batch.time_s, batch.valid, batch.image, _glances(got[0])))
    if not summary.crowded or summary.span is None:
        return ""
    undecoded = undecoded_frames(batch.frame)
    cause = ("someone else was in view" if not undecoded else
             f"someone else was in view, or the {undecoded} frame(s) that could not be decoded (damaged data) "
             "garbled the frames near them")
    why = (f"every glance saw one person alone, yet {summary.refused} of {summary.posed} whole-frame poses were "
           f"not the walker's (most in frames {summary.span[0]}-{summary.span[1]}): {cause}")
    mark_scan_needed(out_dir, {"mode": got[1].get("mode"), "roi": got[1].get("roi")}, why)
    return why


def undecoded_frames(frames: np.ndarray) -> int:
    """Frames missing between the first and last stored ``frames`` (n,) at the store's own frame step (the
    smallest step between stored frames): frames the decoder rejected (damaged data)."""
    steps = np.diff(np.unique(np.asarray(frames, dtype=np.int64)))
    if steps.size == 0:
        return 0
    step = int(steps.min())
    return int(np.sum(steps // step - 1))


def guarded(batch: KeypointBatch, out_dir: Path) -> KeypointBatch:
    """The poses the analysis uses: ``guard_whole_frame`` without recording anything (for benchmarks)."""
    refused = _refused(batch, out_dir)
    return batch if refused is None else _without(batch, refused)


def _refused(batch: KeypointBatch, out_dir: Path) -> np.ndarray | None:
    """(n,) refused poses when ``out_dir``'s people file says the whole frame was posed, else None."""
    from core.io.people_tracks import read_people
    from core.pose.frame_guard import refused_poses

    got = read_people(out_dir)
    if got is None or not got[1].get("whole_frame"):
        return None
    return refused_poses(batch.frame, batch.time_s, batch.valid, batch.image, _glances(got[0]))


def _glances(arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """The glanced frames (m,) and the walker's boxes there (m, 4) px from a whole-frame people file's
    arrays (``core.pose.glance``); None when absent."""
    if "scan_frames" not in arrays or "boxes" not in arrays or not len(arrays["boxes"]):
        return None
    return np.asarray(arrays["scan_frames"]), np.asarray(arrays["boxes"][0])


def _without(batch: KeypointBatch, refused: np.ndarray) -> KeypointBatch:
    """``batch`` with the ``refused`` (n,) frames as no detection."""
    if not refused.any():
        return batch
    image, world = batch.image.copy(), batch.world.copy()
    image[refused], world[refused] = np.nan, np.nan
    return replace(batch, valid=batch.valid & ~refused, image=image, world=world)
