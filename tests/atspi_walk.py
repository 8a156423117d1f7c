"""Read the kiosk's accessibility tree over AT-SPI, as Orca would (run with Debian's python3).

Prints one JSON line per accessible node of the letter-kiosk application: role, name,
description, and whether it can be pressed. Waits up to 30 s for the application to appear.
"""

import json
import sys
import time

import pyatspi


def find_app(name):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == name:
                return app
        time.sleep(0.2)
    return None


def walk(node, depth=0, out=None):
    out = [] if out is None else out
    try:
        states = node.getState()
        showing = states.contains(pyatspi.STATE_SHOWING)
        actions = []
        try:
            act = node.queryAction()
            actions = [act.getName(i) for i in range(act.nActions)]
        except NotImplementedError:
            pass
        out.append({"role": node.getRoleName(), "name": node.name,
                    "description": node.description, "showing": showing,
                    "actions": actions, "depth": depth})
        for child in node:
            if child is not None:
                walk(child, depth + 1, out)
    except Exception as e:  # a node vanishing mid-walk
        out.append({"error": str(e)})
    return out


def main():
    app = find_app(sys.argv[1])
    if app is None:
        print(json.dumps({"error": "application not found on the accessibility bus"}))
        return 1
    if len(sys.argv) > 2 and sys.argv[2] == "--press":
        # Press the first showing button with this name, the way a screen reader user would.
        target = sys.argv[3]
        for node in pyatspi.utils.findAllDescendants(app, lambda n: n.name == target):
            node.queryAction().doAction(0)
            print(json.dumps({"pressed": target}))
            return 0
        print(json.dumps({"error": f"no {target!r}"}))
        return 1
    for row in walk(app):
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
