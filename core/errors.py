"""Errors the CLI reports as one line (no traceback unless -v)."""

from __future__ import annotations

from pathlib import Path


class GaitToolError(Exception):
    """Base class: an expected failure with a message meant for the user."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)
        self.reason = message

    def __reduce__(self) -> tuple:
        return type(self), (self.reason, self.path)  # survives pickling (errors raised on a Dask worker)


class ConfigError(GaitToolError):
    """Invalid configuration file, profile, key, type or CLI value."""


class InputError(GaitToolError):
    """An input file is missing, unreadable or malformed."""


class NoPoseError(GaitToolError):
    """Nobody was detected (or too little of the video had a detection)."""


class InsufficientDataError(GaitToolError):
    """The recording is too short or too gappy for the requested analysis."""


class ModelUnavailableError(ConfigError):
    """A requested MediaPipe model is not available offline and cannot be fetched (a setting of the
    whole run, like the other configuration errors: exit code 2)."""


class MemoryBudgetError(ConfigError):
    """The memory budget cannot fit even one worker (a setting of the whole run: exit code 2)."""


class OutputLockedError(GaitToolError):
    """Another run holds the lock on the output folder."""


class NoWalkerError(NoPoseError):
    """People may be visible, but none of them walks (or the requested person does not exist)."""
