"""Whether a modal is still up when its own handlers run.

On a busy main thread (a fold at 5,000 pods) the keys typed while a modal is being opened wait
in the queue with its Mount: an Esc can dismiss it first, and its ``on_mount`` then finds no
widgets to query (``NoMatches``: the cockpit's 'internal error', seen with the confirmation
modal; the help, reasons and details screens, dismissed the same way, kept their widgets).
"""

from __future__ import annotations

from textual.screen import Screen


def dismissed(screen: Screen) -> bool:
    """The screen was popped before this handler ran."""
    return screen not in screen.app.screen_stack
