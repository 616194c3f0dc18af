"""``make replicas``: several app processes behind nginx on this machine, until Ctrl-C.

    python -m deploy replicas [--processes N] [--port PORT]

N defaults to the number of cores. The app processes read the same settings as ``make run``
(``OUTCOMES_DATABASE_URL`` and the rest, from the environment); nginx's configuration is generated into
a temporary folder, printed, and listens on 127.0.0.1:PORT. See docs/deploy.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from deploy import replicas


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("replicas", help="app processes behind nginx on 127.0.0.1")
    rp.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="app processes (default: cores)")
    rp.add_argument("--port", type=int, default=8500, help="where nginx listens on 127.0.0.1 (default 8500)")
    args = ap.parse_args(argv)
    passed = {k: v for k, v in os.environ.items() if k.startswith(("OUTCOMES_", "STREAMLIT_"))}
    r = replicas.start(processes=args.processes, env=passed, port=args.port)
    print(
        f"{args.processes} app processes on ports {', '.join(str(a.port) for a in r.apps)}; "
        f"nginx on {r.base} (configuration: {r.folder / 'nginx.conf'}). Ctrl-C stops them all.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(a.proc.poll() is None for a in r.apps) and r.nginx.poll() is None:
            time.sleep(1)
        print("a process stopped: stopping the rest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        r.stop()


if __name__ == "__main__":
    sys.exit(main())
