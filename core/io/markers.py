"""Marker names to landmarks, shared by the TRC and C3D readers: a case- and separator-free key per
name, and the motion-capture marker sets of ``core.constants.C3D_MARKERS`` (hips from a joint centre,
a trochanter, or the side's ASIS/PSIS)."""

from __future__ import annotations

import re

import numpy as np

from core.constants import C3D_MARKERS, C3D_PELVIS_MARKERS, LEG_LANDMARKS, NUM_LANDMARKS, SIDES


def marker_key(name: str) -> str:
    """Case- and separator-free marker key with the side first: 'R_Heel', 'Right Heel', 'heel_r' -> 'rheel'."""
    lower = name.strip().lower()
    suffix = re.fullmatch(r"(.+?)[\s_.\-]+(l|r|left|right)", lower)
    if suffix:
        lower = suffix.group(2) + suffix.group(1)
    key = re.sub(r"[^0-9a-z]", "", lower)
    for word, short in (("right", "r"), ("left", "l")):
        if key.startswith(word):
            key = short + key[len(word):]
    return key


def _keys(labels: list[str]) -> list[str]:
    return [marker_key(label.split(":")[-1]) for label in labels]


def _find(keys: list[str], points: np.ndarray, names: tuple[str, ...], side: str) -> int | None:
    """Index of the first of ``names`` (for ``side``) that is in the file with some data."""
    for name in names:
        key = marker_key(name.replace("{S}", side[0].upper()))
        for k, have in enumerate(keys):
            if have == key and np.isfinite(points[:, k]).all(axis=1).any():
                return k
    return None


def map_markers(labels: list[str], points: np.ndarray) -> tuple[np.ndarray, dict[str, str]]:
    """(frames, 33, 3) landmarks in the file's axes and units, and landmark name -> marker label used
    (a "+"-joined pair for a hip from the pelvis markers)."""
    keys = _keys(labels)
    out = np.full((points.shape[0], NUM_LANDMARKS, 3), np.nan)
    used: dict[str, str] = {}
    for side in SIDES:
        for part, names in C3D_MARKERS.items():
            k = _find(keys, points, names, side)
            if k is not None:
                out[:, LEG_LANDMARKS[side][part]] = points[:, k]
                used[f"{side}_{part}"] = labels[k]
        if f"{side}_hip" not in used:
            pelvis = [k for k in (_find(keys, points, (n,), side) for n in C3D_PELVIS_MARKERS) if k is not None]
            if pelvis:
                with np.errstate(invalid="ignore"), np.testing.suppress_warnings() as sup:
                    sup.filter(RuntimeWarning)
                    out[:, LEG_LANDMARKS[side]["hip"]] = np.nanmean(points[:, pelvis], axis=1)
                used[f"{side}_hip"] = "+".join(labels[k] for k in dict.fromkeys(pelvis))
    return out, used


