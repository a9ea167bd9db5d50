"""TCN checkpoints: plain dicts of tensors/lists/str/numbers, saved atomically, loaded with
``weights_only=True`` (no pickled objects are ever executed)."""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.io.atomic import atomic_open

FOLD_PATTERN = re.compile(r"^model_fold_(\d+)(?:_(\d+))?\.pt$")  # fold, and member of a fold's ensemble
_UNSAFE_GLOBAL = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")


def checkpoint_name(fold: int, member: int = 0) -> str:
    """``model_fold_<fold>.pt``; further members of a fold's ensemble: ``model_fold_<fold>_<member>.pt``."""
    return f"model_fold_{fold}.pt" if member == 0 else f"model_fold_{fold}_{member}.pt"


def save_checkpoint(path: str | Path, checkpoint: dict[str, Any]) -> None:
    """``torch.save`` into a temporary sibling, then rename over ``path``."""
    import torch

    with atomic_open(path, "wb") as fh:
        torch.save(checkpoint, fh)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load a checkpoint onto the CPU with ``weights_only=True``."""
    import torch

    path = Path(path)
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise InputError("checkpoint not found", path) from exc
    except pickle.UnpicklingError as exc:
        raise InputError(_refusal(str(exc)), path) from exc
    except (RuntimeError, EOFError, OSError) as exc:
        raise InputError(f"cannot load checkpoint ({str(exc).splitlines()[0]})", path) from exc
    if not isinstance(ckpt, dict):
        raise InputError("checkpoint is not a dict", path)
    return ckpt


def _refusal(message: str) -> str:
    """One line for a checkpoint that ``weights_only`` loading refused (it would run pickled code)."""
    wanted = _UNSAFE_GLOBAL.search(message)
    if "Weights only load failed" not in message:
        return f"cannot load checkpoint ({message.splitlines()[0] if message else 'unpickling error'})"
    what = f" (it refers to {wanted.group(1)})" if wanted else ""
    return ("refused to load: the checkpoint holds Python objects, not only tensors and plain data"
            f"{what}; only checkpoints saved by this tool are loaded")


def checkpoint_paths(path: str | Path) -> list[Path]:
    """``[path]`` for a file; for a folder its ``model_fold_<k>.pt`` files ordered by k."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError("model path not found (expected a .pt file or a folder of model_fold_*.pt)", path)
    found = sorted(((int(m.group(1)), int(m.group(2) or 0)), p)
                   for p in path.iterdir() if (m := FOLD_PATTERN.match(p.name)))
    if not found:
        raise InputError("no model_fold_*.pt checkpoints in this folder", path)
    return [p for _, p in found]
