"""Reading and using the kiosk's accessibility tree over AT-SPI, as Orca does.

Run with Debian's /usr/bin/python3, where pyatspi lives (the project's venv has no pyatspi).
One long-lived process does all the reading: every call here is a D-Bus request the kiosk's
AT-SPI bridge must answer, like a screen reader's. libatspi only caches what it learns when its
own main loop runs; this module pumps the GLib context itself, so every read goes to the kiosk.

Nothing here sleeps for a fixed time: waits poll a condition until a deadline, pumping AT-SPI
events in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pyatspi
from gi.repository import Atspi, GLib

APP_NAME = "letter-kiosk"

# Method calls wait this long for the kiosk (ms): a kiosk busy on a loaded 2-core machine is
# slow, not gone (libatspi's default gives up after a few seconds). A crashed kiosk answers at
# once: its bus name vanishes.
Atspi.set_timeout(30_000, 60_000)

# What Orca listens to. Listening makes the kiosk's bridge send these events, and handling them
# queries their source while the kiosk may be tearing it down: the pattern that crashes it.
ORCA_EVENTS = (
    "object:state-changed", "object:children-changed", "object:property-change",
    "object:text-changed", "object:text-caret-moved", "object:active-descendant-changed",
    "object:announcement", "focus:", "window",
)


def pump(seconds: float = 0.0) -> None:
    """Dispatch the AT-SPI events that arrived; with ``seconds``, also wait up to that long for
    more (a poll interval between checks of a condition, not a delay to pass)."""
    ctx = GLib.MainContext.default()
    while ctx.pending():
        ctx.iteration(False)
    if seconds > 0:
        woke: list[bool] = []

        def wake() -> bool:
            woke.append(True)
            return False  # a one-shot timer

        GLib.timeout_add(int(seconds * 1000), wake)
        while not woke:
            ctx.iteration(True)


def wait_for(find: Callable[[], object], timeout: float,
             alive: Callable[[], None] | None = None):
    """Poll ``find`` until it returns something (returned), pumping AT-SPI events between
    polls; None once ``timeout`` seconds have passed. ``alive`` is called before each poll and
    may raise (e.g. the kiosk process has exited). A node torn down while ``find`` reads it
    counts as not found yet."""
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None:
            alive()
        try:
            found = find()
        except Exception:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            return None
        pump(0.05)


def find_app(name: str = APP_NAME, timeout: float = 180.0,
             alive: Callable[[], None] | None = None):
    """The application's root accessible, once it is on the bus; None after ``timeout``."""

    def look():
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and app.name == name:
                return app
        return None

    return wait_for(look, timeout, alive)


def state_names(node) -> list[str]:
    return sorted(pyatspi.stateToString(s) for s in node.getState().getStates())


def actions_of(node) -> list[str]:
    try:
        act = node.queryAction()
    except NotImplementedError:
        return []
    return [act.getName(i) for i in range(act.nActions)]


def text_of(node) -> str | None:
    """The node's whole text through the Text interface, or None when it has none."""
    try:
        text = node.queryText()
    except NotImplementedError:
        return None
    return text.getText(0, -1)


def relations_of(node) -> list[list]:
    """Relations (labelled by, controller for...) and the name of each target, as Orca reads
    them to say what a field is for and what a control changes."""
    out = []
    for rel in node.getRelationSet():
        targets = [rel.getTarget(i) for i in range(rel.getNTargets())]
        out.append([pyatspi.relationToString(rel.getRelationType()),
                    [t.name if t is not None else None for t in targets]])
    return out


def extents_of(node) -> list[int] | None:
    try:
        box = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    except NotImplementedError:
        return None
    return [box.x, box.y, box.width, box.height]


def read_node(node, depth: int = 0) -> dict:
    """Everything a screen reader reads from one node: role, name, description, states,
    actions, relations, attributes, where it is, its index, its children and its text. A node
    that vanishes mid-read gives ``{"error": ...}``: the caller goes on, as Orca does."""
    try:
        states = state_names(node)
        row = {"role": node.getRoleName(), "name": node.name, "description": node.description,
               "states": states, "showing": "showing" in states, "actions": actions_of(node),
               "relations": relations_of(node), "attributes": node.getAttributes(),
               "extents": extents_of(node), "index": node.getIndexInParent(),
               "children": node.childCount, "depth": depth}
        text = text_of(node)
        if text is not None:
            row["text"] = text
        return row
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}", "depth": depth}


def walk(root) -> tuple[list[dict], list]:
    """The whole tree under ``root``, hidden pages included: rows of ``read_node`` and the
    accessibles themselves (kept by the caller, to query again later as Orca does)."""
    rows: list[dict] = []
    nodes: list = []

    def visit(node, depth: int) -> None:
        row = read_node(node, depth)
        rows.append(row)
        nodes.append(node)
        if "error" in row:
            return
        for i in range(row["children"]):
            try:
                child = node.getChildAtIndex(i)
            except Exception as e:  # the children changed while we read them
                rows.append({"error": f"{type(e).__name__}: {e}", "depth": depth + 1})
                continue
            if child is not None:
                visit(child, depth + 1)

    visit(root, 0)
    return rows, nodes


def showing(root, name: str | None = None) -> list:
    """Showing nodes (named ``name``, when given), searching only inside showing nodes: the
    cheap look a screen reader takes at the screen."""
    found: list = []

    def visit(node) -> None:
        try:
            if not node.getState().contains(pyatspi.STATE_SHOWING):
                return
            if name is None or node.name == name:
                found.append(node)
            children = [node.getChildAtIndex(i) for i in range(node.childCount)]
        except Exception:  # vanished mid-look: it is not showing any more
            return
        for child in children:
            if child is not None:
                visit(child)

    for i in range(root.childCount):  # the application's windows
        window = root.getChildAtIndex(i)
        if window is not None:
            visit(window)
    return found


def showing_names(root) -> list[str]:
    """Names of what is on screen now, for saying where a journey got stuck."""
    names = []
    for node in showing(root):
        try:
            if node.name:
                names.append(f"{node.getRoleName()}:{node.name}")
        except Exception:
            pass
    return names


def requery(nodes: list) -> tuple[int, int]:
    """Ask again about accessibles learnt earlier, some of them gone by now, as Orca does with
    its cache after a screen changes: name, state, parent, index in parent. Returns (answered,
    errors)."""
    answered = errors = 0
    for node in nodes:
        try:
            _ = node.name, node.getState().getStates(), node.parent, node.getIndexInParent()
            _ = node.childCount, node.getRoleName(), relations_of(node)
            answered += 1
        except Exception:
            errors += 1
    return answered, errors


def do_action(node, *wanted: str) -> str:
    """Perform the first of ``wanted`` actions the node offers (Press, Toggle...); return its
    name. A screen reader's "activate" does exactly this."""
    act = node.queryAction()
    names = [act.getName(i).lower() for i in range(act.nActions)]
    for w in wanted:
        if w.lower() in names:
            act.doAction(names.index(w.lower()))
            return w
    raise LookupError(f"{node.name!r} offers {names}, not {list(wanted)}")


def press(node) -> str:
    return do_action(node, "Press", "Toggle", "Click", "Activate")


def focus(node) -> None:
    """Move the keyboard focus to the node, as a screen reader user moving to a field does."""
    try:
        if node.queryComponent().grabFocus():
            return
    except NotImplementedError:
        pass
    do_action(node, "SetFocus")


def tap(node) -> None:
    """A click in the middle of the node, through the X server (XTest), as a finger on a
    touch screen: a text field then opens the on-screen keyboard."""
    x, y, w, h = extents_of(node) or (0, 0, 0, 0)
    if w <= 0 or h <= 0:
        raise RuntimeError(f"{node.name!r} has no place on screen to tap")
    Atspi.generate_mouse_event(x + w // 2, y + h // 2, "b1c")


def set_text(node, text: str) -> None:
    """Replace the node's text through the EditableText interface, as a braille display or a
    screen reader's typing echo does."""
    if not node.queryEditableText().setTextContents(text):
        raise RuntimeError(f"{node.name!r} refused the text")


def is_checked(node) -> bool:
    return node.getState().contains(pyatspi.STATE_CHECKED)


def can_act(node) -> bool:
    """A control (button, check box...), not a label that happens to carry the same name."""
    return bool(actions_of(node))


def can_type(node) -> bool:
    try:
        node.queryEditableText()
    except NotImplementedError:
        return False
    return True


class EventReader:
    """Listens to what Orca listens to and, like Orca, reads each event's source right away:
    name, role, state, parent and index (and the child an added/removed event names)."""

    def __init__(self) -> None:
        self.events = 0
        self.errors = 0
        pyatspi.Registry.registerEventListener(self._on_event, *ORCA_EVENTS)

    def _on_event(self, event) -> None:
        self.events += 1
        try:
            src = event.source
            _ = src.name, src.getRoleName(), src.getState().getStates(), src.parent
            _ = src.getIndexInParent(), relations_of(src)
            if event.type.startswith("object:children-changed") and event.any_data is not None:
                _ = event.any_data.name, event.any_data.getRoleName()
            if event.type.startswith(("focus", "object:state-changed:focused")):
                # Where the focus is now: its ancestors, up to the application.
                node, depth = src.parent, 0
                while node is not None and depth < 50:
                    _ = node.name, node.getRoleName(), node.getState().getStates()
                    node, depth = node.parent, depth + 1
        except Exception:
            self.errors += 1

    def close(self) -> None:
        pyatspi.Registry.deregisterEventListener(self._on_event, *ORCA_EVENTS)
