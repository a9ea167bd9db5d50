"""The sidecar ``<stem>.meta.json`` beside an exported ``landmarks.csv`` or TRC file: what the
analysis needs and the file cannot hold (units, axis convention, image height, first video frame,
the camera's pan from the scenery, the feet's image-patch velocities and peaks (pixel contact
evidence), and for a TRC the landmark confidences), so that re-analysing an export gives the same
result as the original analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from core.constants import FOOT_MOTION_POINTS
from core.io.atomic import read_versioned_json, write_json
from core.types import KeypointSeries

SIDECAR_SUFFIX = ".meta.json"
SIDECAR_VERSION = 1
# KeypointSeries.meta keys of the foot patches (``core.series``) and their shapes after the frame axis.
FOOT_META = {"foot_velocity_px_s": (len(FOOT_MOTION_POINTS), 2), "foot_patch_peak": (len(FOOT_MOTION_POINTS),)}


def sidecar_path(export_path: str | Path) -> Path:
    """``landmarks.csv`` -> ``landmarks.meta.json``; ``walk.trc`` -> ``walk.meta.json``."""
    p = Path(export_path)
    return p.with_name(p.stem + SIDECAR_SUFFIX)


def _array(values: np.ndarray, decimals: int) -> list:
    """NaN -> null, rounded; nested lists for 2-D arrays."""
    rounded = np.round(np.asarray(values, dtype=float), decimals)
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in rounded] if rounded.ndim == 2 else \
        [None if not np.isfinite(v) else float(v) for v in rounded]


def _from_array(values: list | None) -> np.ndarray | None:
    return None if values is None else np.array(values, dtype=float)  # None cells become NaN


def write_sidecar(export_path: str | Path, series: KeypointSeries, y_axis: str, confidence: bool = False) -> Path:
    """Write the sidecar of ``export_path``. ``y_axis``: how the export's Y runs ("up", or "down" =
    image rows). ``confidence``: also store the (T, 33) landmark confidences (for formats without them)."""
    meta = series.meta
    doc: dict[str, Any] = {
        "sidecar_version": SIDECAR_VERSION,
        "name": series.name,
        "units": series.units,
        "is_2d": series.is_2d,
        "y_axis": y_axis,
        "image_height_px": meta.get("image_height_px"),
        "first_frame": int(meta.get("first_frame", 0)),
        "fps": meta.get("fps"),
        "scene_velocity_x_px_s": None,
        "confidence": None,
    }
    scene = meta.get("scene_velocity_px_s")
    if scene is not None and len(scene) == series.n_frames:
        doc["scene_velocity_x_px_s"] = _array(scene, 4)
    for key in FOOT_META:
        values = meta.get(key)
        if values is not None and len(values) == series.n_frames:
            doc[key] = _array(np.asarray(values).reshape(series.n_frames, -1), 4)
    if confidence:
        doc["confidence"] = _array(series.confidence, 4)
    path = sidecar_path(export_path)
    write_json(path, doc)
    return path


def read_sidecar(export_path: str | Path, n_frames: int) -> dict[str, Any] | None:
    """The sidecar of ``export_path`` when present and of the same length, else None (a sidecar that
    does not match its file is ignored rather than trusted)."""
    doc = read_versioned_json(sidecar_path(export_path), "sidecar_version", SIDECAR_VERSION)
    if doc is None:
        return None
    scene, conf = _from_array(doc.get("scene_velocity_x_px_s")), _from_array(doc.get("confidence"))
    if (scene is not None and scene.shape != (n_frames,)) or (conf is not None and conf.shape[0] != n_frames):
        return None
    doc["scene_velocity_x_px_s"], doc["confidence"] = scene, conf
    for key, shape in FOOT_META.items():
        values = _from_array(doc.get(key))
        ok = values is not None and values.ndim == 2 and values.shape == (n_frames, int(np.prod(shape)))
        doc[key] = values.reshape(n_frames, *shape) if ok else None  # absent or mismatched: no evidence
    return doc


def series_meta(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``KeypointSeries.meta`` entries a sidecar restores."""
    meta: dict[str, Any] = {"first_frame": int(doc.get("first_frame") or 0)}
    for key in ("image_height_px", "fps"):
        if doc.get(key) is not None:
            meta[key] = doc[key]
    if doc.get("scene_velocity_x_px_s") is not None:
        meta["scene_velocity_px_s"] = doc["scene_velocity_x_px_s"]
    for key in FOOT_META:
        if doc.get(key) is not None:
            meta[key] = doc[key]
    return meta
