"""memtui's real command line with a bug planted in the running app: once the first pods are drawn,
rendering raises with secrets in its message.  Run by tests/cli/test_crash.py in a real pty to
see what an operator would see when memtui itself breaks mid-incident."""

from __future__ import annotations

import sys

from memtui.ui.app import MemtuiApp
from memtui.cli import main

SECRET_MESSAGE = "INFO via redis://:s3cret-pw@redis:6379/0 failed, Authorization: Bearer tok.en-123"

_render_gpu = MemtuiApp._render_gpu


def _render_gpu_then_break(self: MemtuiApp) -> None:
    if self.state.snapshot is not None:
        raise RuntimeError(SECRET_MESSAGE)
    _render_gpu(self)


if __name__ == "__main__":  # importing this module (for SECRET_MESSAGE) plants nothing
    MemtuiApp._render_gpu = _render_gpu_then_break
    sys.exit(main())
