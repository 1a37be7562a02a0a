import sys
from pathlib import Path

# the Makefile installs a .pth file for this; keep the tests runnable without it
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
