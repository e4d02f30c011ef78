"""Text from outside memtui is data: never markup, never terminal control.

API error bodies, exception strings, pod, container and node names, Event messages, log lines,
ConfigMap values, Redis replies, runbook and keymap file values and what the operator types all
reach the screen through this module.  Textual parses plain strings in ``Static``, labels, border
titles and toasts as markup, so a ``[/x]`` in an error body raised ``MarkupError`` and killed the
app, and ``[@click=app.quit]`` became a clickable action; an ``ESC ] 0 ; … BEL`` in an Event
message reached the terminal and set its title.  Here such text becomes a ``rich.text.Text`` (never
parsed) or an escaped markup string (for the few APIs that take nothing else), with every control
character replaced by a visible stand-in.
"""

from __future__ import annotations

import unicodedata

from rich.style import Style
from rich.text import Text

ELLIPSIS = "…"

_ESCAPE_PICTURE = "\u241b"  # ␛
_DELETE_PICTURE = "\u2421"  # ␡


def _stand_in(char: str) -> str:
    """What a control character looks like on screen: ``␛``, ``␇``… or ``\\x85``, ``\\u202e``."""
    code = ord(char)
    if code == 0x1B:
        return _ESCAPE_PICTURE
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures" block: ␀ … ␟
    if code == 0x7F:
        return _DELETE_PICTURE
    if code <= 0x9F:
        return f"\\x{code:02x}"  # C1 controls (CSI, OSC… as single bytes) have no pictures
    return f"\\u{code:04x}"  # bidi overrides, zero-width and other format characters


def _is_control(char: str) -> bool:
    """C0, DEL, C1, and the format characters (bidi overrides…) that reorder or hide what is shown."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    return code > 0x9F and unicodedata.category(char) in ("Cf", "Zl", "Zp")


def visible(text: object, *, one_line: bool = False) -> str:
    """``text`` with control characters shown, not obeyed.

    Multi-line places keep newlines and tabs; ``one_line`` places (titles, table cells, toasts'
    single lines) get a space for each newline or tab, so a message cannot break a pane's layout.
    """
    value = str(text)
    if value.isprintable():
        return value  # the common case: nothing to replace (every control is non-printable)
    value = value.replace("\r\n", "\n")
    out: list[str] = []
    for char in value:
        if char in "\n\t":
            out.append(" " if one_line else char)
        elif _is_control(char):
            out.append(_stand_in(char))
        else:
            out.append(char)
    return "".join(out)


def plain(text: object, style: str | Style = "", *, one_line: bool = False) -> Text:
    """Outside text as a ``Text``: drawn literally, whatever brackets it holds."""
    return Text(visible(text, one_line=one_line), style=style)


def markup_escaped(text: object, *, one_line: bool = True) -> str:
    """Outside text for an API that only takes Textual markup strings (command palette help).

    Every ``[`` is escaped (Textual's own ``escape`` leaves ``[A]`` and ``[$var]`` live).
    """
    return visible(text, one_line=one_line).replace("[", "\\[")


def rich_markup_escaped(text: object, *, one_line: bool = True) -> str:
    """Outside text for an API that parses Rich console markup (binding descriptions in the
    keys panel)."""
    from rich.markup import escape

    return escape(visible(text, one_line=one_line))


def first_line(text: object, width: int) -> str:
    """The start of ``text`` on one line, cut at ``width`` cells with an ellipsis if longer.

    For reasons on pane borders: the full text stays one key away (the app's reasons viewer).
    """
    line = visible(text, one_line=True)
    if width <= 0:
        return ""
    shown = Text(line)
    if shown.cell_len <= width:
        return line
    shown.truncate(width, overflow="ellipsis")
    return shown.plain


def toast(node, message: object, *, title: str = "", severity: str = "information",
          timeout: float | None = None) -> None:
    """``notify`` with outside text in it: shown literally (``markup=False``), controls visible.

    Thread-safe like ``App.notify``, so workers may call it directly.
    """
    kwargs = {} if timeout is None else {"timeout": timeout}
    node.notify(visible(message), title=visible(title, one_line=True), severity=severity, markup=False, **kwargs)
