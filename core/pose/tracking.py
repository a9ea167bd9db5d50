"""Identities over time from per-frame person candidates (pure numpy); the walker is chosen among
the tracks by ``core.pose.walker_choice``.

Boxes are (x0, y0, x1, y1) in frame px. A track's "size" is its median box height: travel is
measured in those units (body boxes), so the choice does not depend on the frame's resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np



@dataclass(frozen=True)
class TrackerConfig:
    """max_gap_scans: scans a track may go unseen before it ends. max_jump_sizes: largest distance
    (in box heights) between a track's predicted centre and a candidate it takes. min_scans: a track
    seen fewer times is dropped as noise. stitch_jump_sizes: the same for joining a track that ended
    to one that starts later (see ``_stitch``). velocity_scans: sightings the velocity is fitted
    over (one merged or misplaced box then bends a prediction little). appearance_weight: cost added
    per unit of appearance distance (0 same colours .. 1 disjoint; needs features in the scans; not
    counted against max_jump_sizes). overlap_iou: two tracks whose predicted boxes overlap this much
    are contested (see ``_contested``): the walker's path is held on its prediction while someone
    passes in front. max_appearance: a candidate further than this in appearance from a track (or
    than ``appearance_spread`` x the track's own spread, for a person whose look varies) is never
    that track's: someone else passing in front, taken where the positions alone would allow it.
    max_cost: for a track seen at least three times, where appearance is known, the largest
    assignment cost (distance + size + weighted appearance): a candidate a little off in each is
    someone else. stitch_max_appearance: the largest appearance distance between the end of one track
    and the start of a later one, at most ``max_gap_scans`` scans after it, that ``_stitch`` may join
    (a lone walker's colours change with the light and the background inside the box: 0.2-0.5
    between scans on a real phone clip)."""

    max_gap_scans: int = 4
    max_jump_sizes: float = 0.6
    min_scans: int = 3
    stitch_jump_sizes: float = 1.0
    velocity_scans: int = 4
    appearance_weight: float = 0.5
    overlap_iou: float = 0.15
    max_appearance: float = 0.15
    appearance_spread: float = 3.0
    max_cost: float = 0.3
    stitch_max_appearance: float = 0.6


TUNED_PERIOD_S = 0.5  # the scan period (s) that ``TrackerConfig``'s per-scan defaults were set at


def for_scan_period(cfg: TrackerConfig, every_s: float) -> TrackerConfig:
    """``cfg`` (set for scans ``TUNED_PERIOD_S`` apart) for scans ``every_s`` apart, the same in time: a
    track ends after as many seconds unseen (``max_gap_scans``; also the window of ``_stitch``'s looser
    appearance limit), and a track without a velocity yet takes a walker who moved as far per second
    (``max_jump_sizes``). ``cfg`` itself at ``TUNED_PERIOD_S``. At 1 s with the per-scan values, a man
    standing on a box in the Sports2D demo was joined to a box 3 scans later and chosen over the walker."""
    ratio = every_s / TUNED_PERIOD_S
    if ratio == 1.0:
        return cfg
    return replace(cfg, max_gap_scans=max(1, round(cfg.max_gap_scans / ratio)),
                   max_jump_sizes=cfg.max_jump_sizes * ratio)


@dataclass
class Track:
    """One person over time: scanned frame indices (m,), boxes (m, 4) px, scores (m,), appearance
    features (m or none) and leg motion (m or none, ``core.pose.leg_motion``; NaN where unmeasured)."""

    track_id: int
    frames: list[int] = field(default_factory=list)
    boxes: list[np.ndarray] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    features: list[np.ndarray] = field(default_factory=list)
    legs: list[float] = field(default_factory=list)

    def centre(self, i: int = -1) -> np.ndarray:
        b = self.boxes[i]
        return np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2])

    def centres_at(self, frames: np.ndarray) -> np.ndarray:
        """(len(frames), 2) box centre px at video ``frames``, linear between sightings (held beyond them)."""
        t = np.asarray(self.frames, float)
        c = np.array([self.centre(i) for i in range(len(self.frames))])
        f = np.asarray(frames, float)
        return np.stack([np.interp(f, t, c[:, 0]), np.interp(f, t, c[:, 1])], axis=1)

    def boxes_at(self, frames: np.ndarray) -> np.ndarray:
        """(len(frames), 4) box px at video ``frames``, linear between sightings; NaN outside the first..last one."""
        f = np.asarray(frames, float)
        boxes = np.asarray(self.boxes, float)
        out = np.stack([np.interp(f, self.frames, boxes[:, k]) for k in range(4)], axis=1)
        out[(f < self.frames[0]) | (f > self.frames[-1])] = np.nan
        return out

    def size_px(self) -> float:
        return float(np.median([b[3] - b[1] for b in self.boxes]))

    def velocity(self, last: int = 4) -> np.ndarray:
        """Centre velocity px/frame: least-squares line over the last ``last`` sightings (0 for one)."""
        k = min(last, len(self.frames))
        if k < 2:
            return np.zeros(2)
        t = np.asarray(self.frames[-k:], float)
        c = np.array([self.centre(i) for i in range(-k, 0)])
        t = t - t.mean()
        return (t[:, None] * (c - c.mean(axis=0))).sum(axis=0) / max(float((t * t).sum()), 1e-9)

    def predict(self, frame: int, last: int = 4) -> np.ndarray:
        """Centre expected at ``frame`` (constant velocity fitted over the last ``last`` sightings)."""
        return self.centre() + self.velocity(last) * (frame - self.frames[-1])

    def predicted_box(self, frame: int, last: int = 4) -> np.ndarray:
        c, b = self.predict(frame, last), self.boxes[-1]
        half = np.array([b[2] - b[0], b[3] - b[1]]) / 2
        return np.concatenate([c - half, c + half])

    def appearance(self) -> np.ndarray | None:
        """Mean of the last few appearance features (None without any)."""
        return np.mean(self.features[-5:], axis=0) if self.features else None

    def appearance_limit(self, cfg: "TrackerConfig") -> float:
        """Largest appearance distance a candidate may have to be this track's: ``max_appearance``, or
        ``appearance_spread`` x the median distance of its last few (at least two) features to their
        mean; no limit after one sighting (that one look may be of a box cut by the frame's edge: a walker entering)."""
        if len(self.features) < 2:
            return float("inf")
        spread = float(np.median(appearance_distance(self.appearance(), np.asarray(self.features[-5:]))))
        return max(cfg.max_appearance, cfg.appearance_spread * spread)


def appearance_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hellinger distance (0 equal .. 1 disjoint) between histogram ``a`` (k,) and each row of ``b`` (n, k);
    both normalised to sum 1 here."""
    a = a / max(float(a.sum()), 1e-9)
    b = b / np.maximum(b.sum(axis=1, keepdims=True), 1e-9)
    return np.sqrt(np.clip(1.0 - np.sqrt(a[None] * b).sum(axis=1), 0.0, 1.0))


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boxes (x0, y0, x1, y1) px."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def track_people(
    scans: list[tuple[int, np.ndarray, np.ndarray]], cfg: TrackerConfig = TrackerConfig()
) -> list[Track]:
    """``scans``: (frame index, boxes (n, 4) px, scores (n,)[, appearance features (n, k)[, leg motion
    (n,)]]) in frame order -> tracks seen >= min_scans."""
    live: list[Track] = []
    done: list[Track] = []
    last_scan: dict[int, int] = {}
    for scan_no, scan in enumerate(scans):
        frame, boxes, scores = scan[:3]
        boxes = np.asarray(boxes, float).reshape(-1, 4)
        feats = None
        if len(scan) > 3 and scan[3] is not None and len(boxes):
            feats = np.asarray(scan[3], float).reshape(len(boxes), -1)
        legs = np.asarray(scan[4], float) if len(scan) > 4 and scan[4] is not None else None
        taken = np.zeros(len(boxes), bool)
        if live and len(boxes):
            predicted = [tr.predicted_box(frame, cfg.velocity_scans) for tr in live]
            gate, cost = _cost(live, frame, boxes, feats, predicted, cfg)
            rows, cols = min_cost_assignment(cost)
            ok = {int(r): int(c) for r, c in zip(rows, cols) if gate[r, c] <= cfg.max_jump_sizes}
            held = _contested(predicted, gate, cost, ok, cfg)
            for r, c in ok.items():
                taken[c] = True
                if r in held:
                    continue
                tr = live[r]
                tr.frames.append(frame)
                tr.boxes.append(boxes[c])
                tr.scores.append(float(scores[c]))
                if feats is not None:
                    tr.features.append(feats[c])
                if legs is not None:
                    tr.legs.append(float(legs[c]))
                last_scan[tr.track_id] = scan_no
            for c in held.values():  # the box someone else could also own: nobody's, not a newcomer
                taken[c] = True
        for c in np.flatnonzero(~taken):
            tr = Track(len(live) + len(done) + 1, [frame], [boxes[c]], [float(scores[c])],
                       [] if feats is None else [feats[c]], [] if legs is None else [float(legs[c])])
            live.append(tr)
            last_scan[tr.track_id] = scan_no
        still = []
        for tr in live:
            (still if scan_no - last_scan[tr.track_id] <= cfg.max_gap_scans else done).append(tr)
        live = still
    kept = sorted((t for t in _stitch(done + live, cfg) if len(t.frames) >= cfg.min_scans), key=lambda t: t.frames[0])
    return [Track(i + 1, t.frames, t.boxes, t.scores, t.features, t.legs) for i, t in enumerate(kept)]


_REFUSED = 1e6  # assignment cost of a candidate outside a track's gate
_EXHAUSTIVE_MAX = 5040  # up to this many possible assignments, every one is tried (no SciPy import)


def min_cost_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the assignment of min(n, m) pairs with the least total ``cost`` (n, m), rows
    ascending, as ``scipy.optimize.linear_sum_assignment``. Small matrices (a few people) are solved by
    trying every assignment: importing SciPy's optimiser costs more CPU than a short video's tracking."""
    import math

    n, m = cost.shape
    if math.perm(max(n, m), min(n, m)) > _EXHAUSTIVE_MAX:
        from scipy.optimize import linear_sum_assignment

        return linear_sum_assignment(cost)
    from itertools import permutations

    flip = n > m
    c = cost.T if flip else cost
    rows = np.arange(c.shape[0])
    best = min(permutations(range(c.shape[1]), c.shape[0]), key=lambda p: float(c[rows, list(p)].sum()),
               default=())
    cols = np.asarray(best, dtype=int)
    if not flip:
        return rows, cols
    order = np.argsort(cols)
    return cols[order], rows[order]


def _cost(live: list[Track], frame: int, boxes: np.ndarray, feats: np.ndarray | None, predicted: list[np.ndarray],
          cfg: TrackerConfig) -> tuple[np.ndarray, np.ndarray]:
    """(tracks, candidates) gate and cost: the gate is the distance to the predicted centre plus the
    log size ratio (both in box heights); the cost adds ``appearance_weight`` x appearance distance
    where both have features; a candidate beyond the track's ``appearance_limit`` is out of its gate
    (unless its look is mixed with an overlapped track's, ``_mixed_looks``). ``predicted``: each track's
    predicted box at ``frame``."""
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    heights = boxes[:, 3] - boxes[:, 1]
    gate = np.empty((len(live), len(boxes)))
    cost = gate.copy()
    looks = [None if feats is None else tr.appearance() for tr in live]
    far = [None if look is None else appearance_distance(look, feats) for look in looks]
    mixed = _mixed_looks(far, predicted, boxes, cfg)
    for i, tr in enumerate(live):
        size = tr.size_px()
        dist = np.linalg.norm(centres - tr.predict(frame, cfg.velocity_scans), axis=1) / size
        gate[i] = cost[i] = dist + np.abs(np.log(np.maximum(heights, 1) / max(size, 1)))
        if far[i] is not None:
            cost[i] = gate[i] + cfg.appearance_weight * far[i]
            other = (far[i] > tr.appearance_limit(cfg)) & ~(far[i] < mixed[i])
            if len(tr.frames) >= 3:  # its velocity is fitted: the prediction is good
                other |= cost[i] > cfg.max_cost
            gate[i] = np.where(other, np.inf, gate[i])
            cost[i] = np.where(other, _REFUSED, cost[i])
    return gate, cost


def _mixed_looks(far: list[np.ndarray | None], predicted: list[np.ndarray], boxes: np.ndarray,
                 cfg: TrackerConfig) -> np.ndarray:
    """(tracks, candidates): how far a candidate past a track's ``appearance_limit`` may still look from it and
    be its own. Where the candidate's box overlaps another track's predicted box (by ``overlap_iou``), its look
    mixes the two people, so it is judged against the other's look instead: it stays this track's candidate
    while it looks nearer to this track than to any such other one. 0 (no exception) without an overlap.
    ``far``: per track, the candidates' appearance distances to its look (None without one)."""
    to_other = np.full((len(predicted), len(boxes)), np.inf)  # per track j: its look's distance where it overlaps
    for j, distances in enumerate(far):
        if distances is not None:
            overlaps = np.array([box_iou(b, predicted[j]) >= cfg.overlap_iou for b in boxes])
            to_other[j] = np.where(overlaps, distances, np.inf)
    out = np.zeros((len(predicted), len(boxes)))
    for i in range(len(predicted)):
        nearest = np.min(np.delete(to_other, i, axis=0), axis=0, initial=np.inf)
        out[i] = np.where(np.isfinite(nearest), nearest, 0.0)
    return out


def _contested(predicted: list[np.ndarray], gate: np.ndarray, cost: np.ndarray, ok: dict[int, int],
               cfg: TrackerConfig) -> dict[int, int]:
    """Assignments (track row -> candidate) to hold back: the track's predicted box overlaps
    another track's that got no candidate, and that other track could have taken this candidate
    too, about as cheaply (a merged box of two people, or the one in front hiding the other): which
    of them it is cannot be told, so both coast on their own velocity."""
    held: dict[int, int] = {}
    for r, c in ok.items():
        for r2 in range(len(predicted)):
            if r2 == r or r2 in ok or gate[r2, c] > cfg.max_jump_sizes:
                continue
            if box_iou(predicted[r], predicted[r2]) >= cfg.overlap_iou and cost[r2, c] - cost[r, c] < cfg.appearance_weight * 0.5:
                held[r] = c
    return held


@dataclass(frozen=True)
class _Looks:
    """What ``_looks_alike`` needs of one track: its recent appearance and limit (``Track.appearance``,
    ``Track.appearance_limit``), its median scan interval (frames) and the mean of its first features."""

    recent: np.ndarray | None
    limit: float
    interval: float
    first: np.ndarray | None

    @staticmethod
    def of(track: Track, cfg: TrackerConfig) -> "_Looks":
        interval = float(np.median(np.diff(track.frames))) if len(track.frames) > 1 else float("nan")
        first = np.mean(track.features[:3], axis=0) if track.features else None
        return _Looks(track.appearance(), track.appearance_limit(cfg), interval, first)


def _looks_alike(a: Track, b: Track, la: _Looks, lb: _Looks, cfg: TrackerConfig) -> bool:
    """Whether ``b``'s first sightings may be of the person of ``a``'s last ones (``la``, ``lb``: their
    ``_Looks``): within ``a``'s appearance limit, or within ``stitch_max_appearance`` where ``b`` starts
    no more than ``max_gap_scans`` of ``a``'s scan intervals after ``a`` ends (True when either has no
    features)."""
    if la.recent is None or lb.first is None:
        return True
    limit = la.limit
    if b.frames[0] - a.frames[-1] <= cfg.max_gap_scans * la.interval:
        limit = max(limit, cfg.stitch_max_appearance)
    return float(appearance_distance(la.recent, lb.first[None])[0]) <= limit


def _stitch(tracks: list[Track], cfg: TrackerConfig) -> list[Track]:
    """Join a track that ends to one that starts later where the first, carried on at its own
    velocity, meets the second (within ``stitch_jump_sizes`` box heights, sizes within 30 %, looks
    alike): two
    people crossing can break one identity in two. The cheapest join first, one at a time; after a join
    only the pairs of the joined track are costed again."""
    tracks = sorted(tracks, key=lambda t: t.frames[0])
    sizes = [t.size_px() for t in tracks]
    looks = [_Looks.of(t, cfg) for t in tracks]

    def pair(i: int, j: int) -> float | None:
        return _stitch_cost(tracks[i], tracks[j], sizes[i], sizes[j], looks[i], looks[j], cfg)

    costs = [[pair(i, j) for j in range(len(tracks))] for i in range(len(tracks))]
    while True:
        best: tuple[float, int, int] | None = None
        for i, row in enumerate(costs):
            for j, cost in enumerate(row):
                if cost is not None and (best is None or cost < best[0]):
                    best = (cost, i, j)
        if best is None:
            return tracks
        _, i, j = best
        a, b = tracks[i], tracks[j]
        tracks[i] = Track(a.track_id, a.frames + b.frames, a.boxes + b.boxes, a.scores + b.scores,
                          a.features + b.features, a.legs + b.legs)
        sizes[i], looks[i] = tracks[i].size_px(), _Looks.of(tracks[i], cfg)
        for seq in (tracks, sizes, looks, costs):
            del seq[j]
        for row in costs:
            del row[j]
        if j < i:  # the joined track moved up one place
            i -= 1
        costs[i] = [pair(i, k) for k in range(len(tracks))]
        for k in range(len(tracks)):
            costs[k][i] = pair(k, i)


def _stitch_cost(a: Track, b: Track, size_a: float, size_b: float, la: _Looks, lb: _Looks,
                 cfg: TrackerConfig) -> float | None:
    """Box heights between ``b``'s first centre and ``a`` carried on to that frame when ``b`` may continue
    ``a`` (it starts after ``a`` ends, ``a`` has a velocity, sizes within 30 %, looks alike and meets it
    within ``stitch_jump_sizes``), else None (``size_*``: ``Track.size_px``, ``l*``: ``_Looks``)."""
    if b.frames[0] <= a.frames[-1] or len(a.frames) < 2:
        return None
    if abs(np.log(max(size_b, 1) / max(size_a, 1))) > np.log(1.3) or not _looks_alike(a, b, la, lb, cfg):
        return None
    cost = float(np.linalg.norm(b.centre(0) - a.predict(b.frames[0]))) / size_a
    return cost if cost <= cfg.stitch_jump_sizes else None
