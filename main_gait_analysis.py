"""Run the gait analysis CLI from the repository root: ``python main_gait_analysis.py --help``."""

import sys

from usecases.gait_analysis.cli import main

if __name__ == "__main__":
    sys.exit(main())
