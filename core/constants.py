"""Landmark layout shared by every room: MediaPipe's 33-point pose topology.

Every keypoint array in the project uses this layout, shape ``(frames, 33, dims)``,
whatever its source (MediaPipe, TRC, CSV). Missing points are NaN.
"""

from __future__ import annotations

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
NUM_LANDMARKS = len(LANDMARK_NAMES)
LANDMARK_INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

NOSE = LANDMARK_INDEX["nose"]
LEFT_SHOULDER = LANDMARK_INDEX["left_shoulder"]
RIGHT_SHOULDER = LANDMARK_INDEX["right_shoulder"]
LEFT_ELBOW = LANDMARK_INDEX["left_elbow"]
RIGHT_ELBOW = LANDMARK_INDEX["right_elbow"]
LEFT_WRIST = LANDMARK_INDEX["left_wrist"]
RIGHT_WRIST = LANDMARK_INDEX["right_wrist"]
LEFT_HIP = LANDMARK_INDEX["left_hip"]
RIGHT_HIP = LANDMARK_INDEX["right_hip"]
LEFT_KNEE = LANDMARK_INDEX["left_knee"]
RIGHT_KNEE = LANDMARK_INDEX["right_knee"]
LEFT_ANKLE = LANDMARK_INDEX["left_ankle"]
RIGHT_ANKLE = LANDMARK_INDEX["right_ankle"]
LEFT_HEEL = LANDMARK_INDEX["left_heel"]
RIGHT_HEEL = LANDMARK_INDEX["right_heel"]
LEFT_TOE = LANDMARK_INDEX["left_foot_index"]
RIGHT_TOE = LANDMARK_INDEX["right_foot_index"]

SIDES: tuple[str, str] = ("left", "right")
EVENT_TYPES: tuple[str, str] = ("heel_strike", "toe_off")

# Per side: the landmark indices of the lower-limb chain, used by gait analysis.
LEG_LANDMARKS: dict[str, dict[str, int]] = {
    side: {
        "shoulder": LANDMARK_INDEX[f"{side}_shoulder"],
        "hip": LANDMARK_INDEX[f"{side}_hip"],
        "knee": LANDMARK_INDEX[f"{side}_knee"],
        "ankle": LANDMARK_INDEX[f"{side}_ankle"],
        "heel": LANDMARK_INDEX[f"{side}_heel"],
        "toe": LANDMARK_INDEX[f"{side}_foot_index"],
    }
    for side in SIDES
}

# The foot points whose image patches are tracked for contact evidence (``core.pose.foot_motion``), in
# their stored order: (side, point) with point "heel" or "toe" as in LEG_LANDMARKS.
FOOT_MOTION_POINTS: tuple[tuple[str, str], ...] = (("left", "heel"), ("left", "toe"), ("right", "heel"), ("right", "toe"))

# Left/right pairs: swapping these mirrors the skeleton (used for swap correction and augmentation).
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (LANDMARK_INDEX[n], LANDMARK_INDEX["right_" + n[len("left_"):]])
    for n in LANDMARK_NAMES
    if n.startswith("left_")
) + ((LANDMARK_INDEX["mouth_left"], LANDMARK_INDEX["mouth_right"]),)
MIRROR_PERMUTATION: tuple[int, ...] = tuple(
    {**{a: b for a, b in LEFT_RIGHT_PAIRS}, **{b: a for a, b in LEFT_RIGHT_PAIRS}}.get(i, i)
    for i in range(NUM_LANDMARKS)
)

# TRC / OpenPose-style marker names (HALPE, COCO, BODY_25, Sports2D, Pose2Sim, OpenCap) -> landmark.
TRC_MARKER_ALIASES: dict[str, str] = {
    "Nose": "nose",
    "LEye": "left_eye",
    "REye": "right_eye",
    "LEar": "left_ear",
    "REar": "right_ear",
    "LShoulder": "left_shoulder",
    "RShoulder": "right_shoulder",
    "LElbow": "left_elbow",
    "RElbow": "right_elbow",
    "LWrist": "left_wrist",
    "RWrist": "right_wrist",
    "LHip": "left_hip",
    "RHip": "right_hip",
    "LKnee": "left_knee",
    "RKnee": "right_knee",
    "LAnkle": "left_ankle",
    "RAnkle": "right_ankle",
    "LHeel": "left_heel",
    "RHeel": "right_heel",
    "LBigToe": "left_foot_index",
    "RBigToe": "right_foot_index",
}
# Used for a landmark only when its primary alias is absent: other toe markers, and the short
# Plug-in Gait names of marker-based motion capture (knee, ankle, heel, toe markers).
TRC_MARKER_FALLBACKS: dict[str, str] = {
    "LSmallToe": "left_foot_index",
    "RSmallToe": "right_foot_index",
    "LToe": "left_foot_index",
    "RToe": "right_foot_index",
    "LKNE": "left_knee",
    "RKNE": "right_knee",
    "LANK": "left_ankle",
    "RANK": "right_ankle",
    "LHEE": "left_heel",
    "RHEE": "right_heel",
}
# A pelvis-centre marker stands for both hips when neither LHip nor RHip is in the file (2-D keypoint
# sets with a mid-hip only; the hips' lateral offset does not enter the sagittal analysis).
TRC_MID_HIP_MARKERS: tuple[str, ...] = ("Hip", "MidHip", "Pelvis", "PelvisCenter")
# Landmarks exported to TRC, with the marker names other tools expect.
TRC_EXPORT_MARKERS: dict[str, str] = {v: k for k, v in TRC_MARKER_ALIASES.items()}

# C3D motion capture (``core.io.c3d_series``): marker labels per leg point, in order of preference, with
# "{S}" standing for the side letter (R or L); matched like TRC names (``core.io.markers.marker_key``:
# case and separators are ignored, so "R.Heel", "RHeel" and "r_heel" are one name) after any
# "Subject:" prefix. Hips: a hip joint centre, else the greater trochanter; without either, the mean
# of the side's ASIS and PSIS markers (C3D_PELVIS_MARKERS) stands for the hip.
C3D_MARKERS: dict[str, tuple[str, ...]] = {
    "hip": ("V_{S}.Hip_JC", "{S}HJC", "{S}HipJC", "{S}Hip", "{S}GTR", "{S}Trochanter"),
    "knee": ("{S}Knee", "{S}KNE", "{S}LEP", "{S}LFC", "{S}LE"),
    "ankle": ("{S}Ankle", "{S}ANK", "{S}LML", "{S}LMAL", "{S}LM"),
    "heel": ("{S}Heel", "{S}HEE", "{S}CAL"),
    "toe": ("{S}BigToe", "{S}MT1", "{S}TOE", "{S}MT2", "{S}5TH", "{S}MT5"),
    "shoulder": ("{S}Shoulder", "{S}SHO", "{S}AC", "{S}Acromion", "{S}ACR"),
}
C3D_PELVIS_MARKERS: tuple[str, ...] = ("{S}ASI", "{S}ASIS", "{S}PSI", "{S}PSIS")

# Store record layout: per landmark (x_px, y_px, z, visibility, presence).
IMAGE_FIELDS: tuple[str, ...] = ("x_px", "y_px", "z", "visibility", "presence")
WORLD_FIELDS: tuple[str, ...] = ("x_m", "y_m", "z_m")

# Gait analysis (core.gait.parameters). Winter (2009) segment proportions of standing height H:
# hip-joint height 0.530 H, ankle height 0.039 H, so hip->knee->ankle leg length is about 0.491 H.
LEG_LENGTH_TO_HEIGHT = 0.530 - 0.039
# Physiological bounds: strides/steps outside them are rejected as detection errors.
STRIDE_TIME_RANGE_S: tuple[float, float] = (0.5, 3.5)
STEP_TIME_RANGE_S: tuple[float, float] = (0.2, 2.0)
STANCE_PCT_RANGE: tuple[float, float] = (35.0, 90.0)
# Landmarks below this confidence are ignored when estimating leg length for scaling.
SCALE_MIN_CONFIDENCE = 0.5

# TCN (core.tcn). Event target channels, in this order, and the 4 gait phases.
TCN_EVENT_CHANNELS: tuple[tuple[str, str], ...] = (
    ("left", "heel_strike"),
    ("left", "toe_off"),
    ("right", "heel_strike"),
    ("right", "toe_off"),
)
TCN_PHASE_NAMES: tuple[str, ...] = (
    "double_support_after_left_hs",
    "left_single_support",
    "double_support_after_right_hs",
    "right_single_support",
)
TCN_IGNORE_INDEX = -100
# Landmarks fed to the TCN (sagittal coordinates relative to the hip midpoint).
TCN_FEATURE_LANDMARKS: tuple[str, ...] = tuple(
    f"{side}_{part}" for part in ("shoulder", "hip", "knee", "ankle", "heel", "foot_index") for side in SIDES
)
TCN_EVENT_SIGMA_FRAMES = 1.5  # Gaussian width of the event target around each event frame
TCN_PEAK_THRESHOLD = 0.3  # minimum event probability of a detected peak
TCN_RATE_TOLERANCE = 0.02  # relative frame-rate mismatch above which features are resampled
TCN_MIN_EVENT_INTERVAL_S = 0.3  # same side and type: events closer than this are one event
TCN_EVENT_TOLERANCE_FRAMES = 2  # F1 tolerance when matching predicted to true events
TCN_MAX_BATCH_SIZE = 512

# Ground frame (core.gait.ground). The whole stance foot lies flat and still on the ground from foot
# flat (forefoot contact, ~8 % of the gait cycle) to heel rise (~30 %), i.e. 0.08/0.60 to 0.30/0.60
# of a 60 % stance; before it the foot rolls over the heel, after it the heel rises and the toe tip
# rolls forward. Perry's mid-stance (10-30 %) is shorter: it leaves out 0.13-0.17 of stance in which the
# foot is already still (see docs/gait_accuracy.md, table (d), for the sensitivity to this bound).
GROUND_MIDSTANCE: tuple[float, float] = (0.08 / 0.60, 0.30 / 0.60)
# Ground velocity is interpolated between mid-stances up to the longest physiological stride apart.
GROUND_MAX_GAP_S = STRIDE_TIME_RANGE_S[1]
# Camera motion is compensated only when the median ground speed reaches this fraction of the
# walking speed over ground. On a fixed camera the estimate stays within ~2 % of the walking speed
# (landmark jitter, event timing), so below 5 % a correction would add noise, not remove error.
GROUND_MIN_SPEED_FRACTION = 0.05
# ... and only when that median differs from 0 by at least this many standard errors of the median
# (``core.gait.ground.median_standard_error`` over the mid-stances, ~3 sigma): MediaPipe's stance
# feet under a fixed camera scatter by ~5-10 % of the walking speed per stance, so a median of that
# size with that scatter is not evidence of camera motion.
GROUND_MIN_STANDARD_ERRORS = 3.0
# With the camera's pan measured from the scenery (``core.pose.scene_motion``), the stance feet
# then only have to reveal a treadmill belt, which moves at about the walking speed: a residual
# stance-foot velocity below this fraction of the walking speed is landmark bias (MediaPipe's stance
# feet read a pan up to ~7 % off, docs/gait_accuracy.md), not a belt.
SCENE_BELT_MIN_FRACTION = 0.25
# The scenery's shift is used when it is known for at least this fraction of the frames in stance
# (gaps are interpolated); below it the stance feet alone give the ground velocity.
SCENE_MIN_COVERAGE = 0.9
# Within one walking bout, a step or stride whose duration is outside this range times the bout's
# median (of all steps, resp. strides) comes from a missed or spurious heel strike, not from gait:
# stride-to-stride variability is ~2-5 % (CV) in healthy gait and rarely above ~20 % in pathological
# gait, and left/right step times of hemiparetic gait differ by up to ~30-40 % (each side ~0.8 or
# ~1.2 x the median), while one missed or extra event halves or doubles a duration.
CONSISTENT_DURATION_RANGE: tuple[float, float] = (0.6, 1.5)
# A step shorter than this fraction of its bout's median step length ends with a spurious heel strike:
# a spurious heel strike splits a real step into two parts that add up to it (one is at most half of
# it, or negative), while left/right step lengths of asymmetric gait stay above ~0.6 x the median
# (hemiparetic step length ratios up to ~1.5-2).
CONSISTENT_MIN_STEP_LENGTH_FRACTION = 0.5
# A mid-stance foot velocity further than this fraction of the walking speed from the median of all
# mid-stances is not a foot at rest on the ground (mislabelled left/right foot, wrong event) and is
# left out of the ground velocity: within a bout the ground (pan, belt) speed changes smoothly, and
# MediaPipe's stance feet scatter by ~10 % of the walking speed (docs/gait_accuracy.md, table (d)).
GROUND_KNOT_TOLERANCE_FRACTION = 0.3

# Skeleton drawn in review images: pairs of landmark indices (trunk, arms, legs and feet of both sides).
SKELETON_SEGMENTS: tuple[tuple[int, int], ...] = tuple(
    (LANDMARK_INDEX[a], LANDMARK_INDEX[b])
    for a, b in [("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")]
    + [(f"{s}_{a}", f"{s}_{b}") for s in SIDES for a, b in (
        ("shoulder", "hip"), ("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"),
        ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"))]
)

# Words the walker choice puts in its reason when another walker travelled nearly as far (a close
# call the user should check); the pipeline repeats such a reason as a console note.
RIVAL_WALKER_WORDS = "walked nearly as far"
