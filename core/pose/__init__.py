"""The pose room: the only package that imports OpenCV and MediaPipe (video decode/encode, models, pose)."""

import os

if not os.environ.get("GAIT_VERBOSE"):
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # FFmpeg's own messages; our errors say it in one line
