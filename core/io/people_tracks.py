"""``people_tracks.npz`` beside the keypoint store: every tracked person's boxes, the chosen walker
and the crop that followed them; and the ``person`` block of ``gait_parameters.json``.

Arrays (frame px, x0 y0 x1 y1): ``scan_frames`` (s,), ``pan_px`` (s,), ``track_ids`` (t,),
``boxes`` (t, s, 4) NaN where a track was not seen, ``path_first_frame`` (), ``path_boxes`` (n, 4),
``path_directions`` (n,) the walker's direction per path frame on a walk there and back (empty: one way);
``meta`` is a JSON string (chosen id, mode, roi, summaries).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from core.constants import RIVAL_WALKER_WORDS
from core.io.atomic import write_bytes

PEOPLE_NAME = "people_tracks.npz"


def write_people(out_dir: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path:
    """Write the people file atomically; returns its path."""
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
    path = Path(out_dir) / PEOPLE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, buf.getvalue())
    return path


def read_people(out_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """(arrays, meta) of the people file in ``out_dir``, or None if absent or unreadable."""
    path = Path(out_dir) / PEOPLE_NAME
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files if k != "meta"}
            meta = json.loads(str(z["meta"]))
    except (OSError, ValueError, KeyError):
        return None
    return arrays, meta


def review_boxes(out_dir: Path, n_frames: int) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]] | None:
    """For a review video: the chosen track's box per frame (n_frames, 4) and the others as
    [(track_id, boxes (n_frames, 4))], linearly interpolated between scans, NaN where unseen."""
    got = read_people(out_dir)
    if got is None:
        return None
    arrays, meta = got
    frames = arrays["scan_frames"].astype(float)
    out: dict[int, np.ndarray] = {}
    t = np.arange(n_frames, dtype=float)
    for tid, boxes in zip(arrays["track_ids"].tolist(), arrays["boxes"]):
        seen = np.isfinite(boxes[:, 0])
        full = np.full((n_frames, 4), np.nan)
        if seen.sum() >= 1:
            f = frames[seen]
            span = (t >= f[0]) & (t <= f[-1])
            for k in range(4):
                full[span, k] = np.interp(t[span], f, boxes[seen, k])
        out[int(tid)] = full
    chosen = -1 if meta.get("chosen_id") is None else int(meta["chosen_id"])
    return out.get(chosen, np.full((n_frames, 4), np.nan)), [(k, v) for k, v in out.items() if k != chosen]


def person_block(out_dir: Path) -> dict[str, Any] | None:
    """The ``person`` block for ``gait_parameters.json``: mode, chosen track and why, the others."""
    got = read_people(out_dir)
    if got is None:
        return None
    meta = got[1]
    sums = meta.get("summaries", [])
    why = sums[0]["reason"] if sums else ""
    guard = meta.get("guard") or {}
    if guard.get("words"):
        why = f"{why}; {guard['words']}" if why else guard["words"]
    if meta.get("glance_overruled"):
        why = f"{why} (scanned after a first pass on the whole frame: {meta['glance_overruled']})"
    block = {"mode": meta.get("mode"), "chosen_track": meta.get("chosen_id"), "why": why, "tracks": sums}
    if guard:
        block["refused_poses"] = int(guard.get("refused", 0))
    return block


def mark_scan_needed(out_dir: Path, meta: dict[str, Any], why: str) -> None:
    """Replace the people file by a marker that sends the next extraction of ``out_dir``'s video to the
    person finder's scan, not the glance (``meta``: the mode and roi it applies to; ``why``: for the user)."""
    write_people(out_dir, {}, {**meta, "scan_needed": True, "glance_overruled": why})


def record_guard(out_dir: Path, guard: dict[str, Any]) -> None:
    """Store what the whole-frame pose guard refused (``refused`` count, ``words`` for the user) in the
    people file's meta (no-op without one)."""
    got = read_people(out_dir)
    if got is not None:
        write_people(out_dir, got[0], {**got[1], "guard": guard})


def guard_notes(out_dir: Path) -> list[str]:
    """The whole-frame guard's line as a console note when it refused any pose, else nothing."""
    got = read_people(out_dir)
    words = "" if got is None else str((got[1].get("guard") or {}).get("words", ""))
    return [f"person: {words}"] if words else []


def rival_notes(out_dir: Path) -> list[str]:
    """The walker choice's reason as a console note when it was a close call (another walker
    travelled nearly as far: ``core.constants.RIVAL_WALKER_WORDS``), else nothing."""
    block = person_block(out_dir)
    why = "" if block is None else str(block.get("why", ""))
    return [f"person: {why}"] if RIVAL_WALKER_WORDS in why else []


def add_person_block(parameters_path: Path, out_dir: Path) -> None:
    """Add the ``person`` block to an existing ``gait_parameters.json`` (no-op without a people file)."""
    from core.io.atomic import write_json

    block = person_block(out_dir)
    path = Path(parameters_path)
    if block is None or not path.is_file():
        return
    doc = json.loads(path.read_text())
    block["summary"] = walked_summary(doc, block)
    doc["person"] = block
    write_json(path, doc)


def walked_summary(doc: dict[str, Any], block: dict[str, Any]) -> str:
    """One line on the analysed walk, e.g. "track 2: walked 6.2 m, 7 strides" (body boxes without a scale)."""
    strides = doc.get("n_strides_used")
    speed = doc.get("walking_speed_m_s")
    seconds = sum(float(b.get("end_s", 0)) - float(b.get("start_s", 0)) for b in doc.get("bouts") or [])
    chosen = next((t for t in block.get("tracks", []) if t.get("track_id") == block.get("chosen_track")), None)
    if speed and seconds > 0:
        walked = f"walked {speed * seconds:.1f} m"
    elif chosen is not None and _finite(chosen.get("travel_sizes")) and _finite(chosen.get("travel_px")):
        walked = f"walked {chosen['travel_sizes']:.1f} body boxes ({chosen['travel_px']:.0f} px)"
    else:
        walked = "walked"
    n = f", {strides} stride{'s' if strides != 1 else ''}" if strides is not None else ""
    return f"track {block.get('chosen_track')}: {walked}{n}"


def _finite(value: Any) -> bool:
    """Whether ``value`` is a finite number (a lone person's travel is NaN: they were only glanced at)."""
    return isinstance(value, (int, float)) and bool(np.isfinite(value))
