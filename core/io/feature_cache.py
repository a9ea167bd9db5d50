"""Cached per-video feature arrays (``.npz``, no pickles) next to the keypoint store.

A cache file is named and stamped with a hash of the caller's source key (e.g. the store's
path, size and mtime) and the feature version; a stale or unreadable file is rebuilt.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

from core.io.atomic import atomic_open

FEATURES_KEY = "features"


def cache_digest(cache_key: str, version: int) -> str:
    return hashlib.sha256(f"{cache_key}\0v{version}".encode()).hexdigest()[:16]


def feature_cache_path(store_path: str | Path, cache_key: str, version: int) -> Path:
    """``<store folder>/<store name>.tcn-features-<digest>.npz``."""
    store_path = Path(store_path)
    return store_path.parent / f"{store_path.name}.tcn-features-{cache_digest(cache_key, version)}.npz"


def save_feature_cache(
    path: str | Path, features: np.ndarray, cache_key: str, version: int, extra: dict[str, np.ndarray] | None = None
) -> None:
    """Write ``features`` (and ``extra`` numeric arrays) atomically, stamped with key and version."""
    arrays = {FEATURES_KEY: np.asarray(features), "cache_digest": np.array(cache_digest(cache_key, version))}
    for name, value in (extra or {}).items():
        arrays[name] = np.asarray(value)
    with atomic_open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_feature_cache(path: str | Path, cache_key: str, version: int) -> dict[str, np.ndarray] | None:
    """All arrays of the cache file, or None when it is missing, stale or unreadable."""
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            if str(data["cache_digest"]) != cache_digest(cache_key, version):
                return None
            return {name: data[name] for name in data.files if name != "cache_digest"}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
        return None


def cached_features(
    store_path: str | Path, cache_key: str, version: int, build: Callable[[], np.ndarray]
) -> np.ndarray:
    """Features from the cache beside ``store_path``, or ``build()`` them and cache the result."""
    path = feature_cache_path(store_path, cache_key, version)
    cached = load_feature_cache(path, cache_key, version)
    if cached is not None:
        return cached[FEATURES_KEY]
    features = build()
    save_feature_cache(path, features, cache_key, version)
    return features
