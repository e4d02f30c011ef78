"""python -m memtui.sim"""

import sys

from .runner import main

sys.exit(main())
