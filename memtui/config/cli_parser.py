"""An ``argparse`` parser whose mistakes are one line.

argparse answers a mistyped option with its whole usage block (ten lines for memtui) above the
one line that matters; on call, that line is what the operator needs, with where to look next.
"""

from __future__ import annotations

import argparse
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
