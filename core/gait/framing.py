"""Are the walker's feet in the frame? A 2-D video whose bottom edge cuts the feet (the phone held too
low, the walker too close) still gets heels and toes from the pose model: it places them just past the
edge, a few pixels from where they are, with visibilities of 0.5-0.7 that pass the mask. Events from
them are guesses, so a series whose heels lie at the bottom edge or beyond in most frames is refused,
and one whose heels or toes touch it often gets a note.

Measured on MediaPipe landmarks (session 15, /tmp/qa15/measure_framing.py): in the 1084 landmarks.csv
files of earlier sessions (synthetic sweeps, walker benchmarks and the real clips, all with the feet in
view: 1295 with the image height, 39 of them real clips) the share of heel and of toe samples at the edge
is 0 in every one. Phone-look walks (960x540, walker 330 px tall): cut 42 px above the soles, heels 0.85 and
toes 1.00; cut through the feet, heels 0.29 and toes 0.78; zoomed in 1.5x until the feet left the frame,
heels 0.22 and toes 0.36.
"""

from __future__ import annotations

import numpy as np

from core.constants import LEFT_HEEL, LEFT_TOE, RIGHT_HEEL, RIGHT_TOE
from core.errors import InsufficientDataError
from core.types import KeypointSeries

# A foot point this close to the bottom edge (share of the image's height), or beyond it, counts as cut.
EDGE_MARGIN_FRAC = 0.01
# At and above this share of heel samples at the edge the feet are not in view: the series is refused.
HEELS_OUT_SHARE = 0.5
# At and above this share of heel or toe samples at the edge the analysis goes on with a note.
FEET_EDGE_SHARE = 0.15
MIN_FOOT_SAMPLES = 10


def bottom_edge_shares(series: KeypointSeries) -> tuple[float, float] | None:
    """(heels, toes): the share of each's seen samples (both sides pooled) at the image's bottom edge or
    below it; None for metric data, without the image height (``meta['image_height_px']``) or with fewer
    than ``MIN_FOOT_SAMPLES`` heel samples."""
    height = series.meta.get("image_height_px")
    if series.units != "px" or not height:
        return None
    margin_px = EDGE_MARGIN_FRAC * float(height)
    y_up = series.positions[..., 1]  # image height - row: 0 at the bottom edge, negative below it

    def share(points: list[int]) -> float | None:
        y = y_up[:, points].ravel()
        y = y[np.isfinite(y)]
        return float(np.mean(y <= margin_px)) if y.size >= MIN_FOOT_SAMPLES else None

    heels, toes = share([LEFT_HEEL, RIGHT_HEEL]), share([LEFT_TOE, RIGHT_TOE])
    return None if heels is None else (heels, toes or 0.0)


def feet_framing(series: KeypointSeries) -> tuple[tuple[float, float] | None, str | None]:
    """``bottom_edge_shares`` and what they say: raise ``InsufficientDataError`` when the heels lie at the frame's
    bottom edge or beyond it in at least ``HEELS_OUT_SHARE`` of their samples; a note when heels or toes touch it
    in ``FEET_EDGE_SHARE``; else no note."""
    shares = bottom_edge_shares(series)
    if shares is None:
        return None, None
    heels, toes = shares
    if heels >= HEELS_OUT_SHARE:
        raise InsufficientDataError(
            f"feet not in view: the heels lie at the bottom edge of the frame or below it in {heels:.0%} of "
            "the frames where they were found, so the pose model guesses where they are and heel strikes and toe offs would be "
            "invented; film the whole body, feet included, with some floor below them")
    if max(heels, toes) >= FEET_EDGE_SHARE:
        return shares, (f"feet cut by the frame: heels at its bottom edge in {heels:.0%} and toes in {toes:.0%} of "
                        "the frames; events near the edge are less certain: leave some floor below the feet")
    return shares, None
