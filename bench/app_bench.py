#!/usr/bin/env python3
"""The tray app's start-up time and memory, as `make bench` reports them.

Runs the release `klaxon-app` (which becomes the tray process `klaxon-tray`) under Xvfb with a private session bus (for the tray's
StatusNotifierItem) and ten HTTP monitors against a loopback server, then measures:
  - launch -> tray ready: from exec until the StatusNotifierItem is on the bus (median of 5);
  - launch -> engine ready: until the control socket answers;
  - memory of all the app's processes (the tray process and, while the window is open, the
    window's own process `klaxon-app --window` with WebKit's helpers): idle with the window
    closed, with it open, after closing it again, and after four more openings and closings.
    RSS summed (shared pages counted in every process) and PSS summed (shared pages split: what
    the app really costs). The goal: under 80 MB RSS with the window closed.
Everything talks to 127.0.0.1 only."""

import http.server
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", HERE.parent / "target"))
APP = TARGET / "release" / "klaxon-app"
CLOSE = HERE.parent / "tests" / "tests" / "support" / "close_window.py"


class Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def wait(what, check, limit=30.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    sys.exit(f"timed out waiting for {what}")


def tree(root):
    """The pid and every descendant's."""
    children = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def windows_of(data_dir):
    """The window processes (`klaxon-app --window`) of this data dir. A second launch starts the
    window and ends, so the window is not always a child of the tray process."""
    found = []
    for proc in pathlib.Path("/proc").glob("[0-9]*"):
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--window" in args and f"KLAXON_DATA_DIR={data_dir}".encode() in environ:
            found.append(int(proc.name))
    return found


def memory(root, data_dir):
    """(RSS sum, PSS sum) in MB over the tray's process tree and the window's, and the names."""
    rss = pss = 0
    names = []
    pids = set(tree(root))
    for window in windows_of(data_dir):
        pids.update(tree(window))
    for pid in sorted(pids):
        try:
            rollup = pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text()
            names.append(pathlib.Path(f"/proc/{pid}/comm").read_text().strip())
        except OSError:
            continue
        for line in rollup.splitlines():
            key, _, rest = line.partition(":")
            if key == "Rss":
                rss += int(rest.split()[0])
            elif key == "Pss":
                pss += int(rest.split()[0])
    return rss / 1024, pss / 1024, names


def main():
    if not APP.exists():
        sys.exit(f"{APP} is missing: cargo build --release -p klaxon-app")
    work = pathlib.Path(tempfile.mkdtemp(prefix="klaxon-app-bench-"))
    procs = []
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        monitors = "".join(
            f'[[monitor]]\nname = "service {i}"\nurl = "http://127.0.0.1:{port}/{i}"\nevery = "10s"\n\n'
            for i in range(10)
        )
        (work / "klaxon.toml").write_text(f"[judge]\nwitnesses = []\n\n{monitors}")
        runtime = work / "runtime"
        runtime.mkdir(mode=0o700)
        (work / "home").mkdir()

        display = next(n for n in range(90, 200) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
        procs.append(subprocess.Popen(
            ["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait("Xvfb", lambda: os.path.exists(f"/tmp/.X11-unix/X{display}"))
        bus = f"unix:path={work}/bus"
        procs.append(subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={bus}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait("the session bus", lambda: (work / "bus").exists())
        env = dict(os.environ, DISPLAY=f":{display}", DBUS_SESSION_BUS_ADDRESS=bus,
                   XDG_RUNTIME_DIR=str(runtime), HOME=str(work / "home"),
                   KLAXON_CONFIG=str(work / "klaxon.toml"), KLAXON_DATA_DIR=str(work / "data"),
                   KLAXON_LOG="warn")
        env.pop("XDG_CONFIG_HOME", None)

        def dbus(*args):
            # A short reply timeout: some of the app's connections (zbus ones) export nothing
            # and would otherwise hold each poll for D-Bus's default 25 s.
            return subprocess.run(["dbus-send", "--session", "--print-reply",
                                   "--reply-timeout=200", *args],
                                  env=env, capture_output=True, text=True).stdout

        def tray_on_bus(pid):
            """The app's tray item is exported (libayatana-appindicator's object path)."""
            names = [n.strip('"') for n in dbus(
                "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames").split() if n.startswith('":')]
            for name in names:
                owner = dbus("--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus.GetConnectionUnixProcessID", f"string:{name}")
                if f"uint32 {pid}" not in owner:
                    continue
                tree = dbus(f"--dest={name}", "/org/ayatana/NotificationItem",
                            "org.freedesktop.DBus.Introspectable.Introspect")
                if "tray_icon" in tree:
                    return True
            return False

        def engine_answers():
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(str(work / "data" / "klaxon.sock"))
                    s.sendall(b'{"cmd":"status"}\n')
                    return b"status" in s.recv(65536)
            except OSError:
                return False

        tray_times, engine_times = [], []
        app = None
        for run in range(5):
            start = time.monotonic()
            app = subprocess.Popen([str(APP), "--background"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait("the tray", lambda: tray_on_bus(app.pid))
            tray_times.append(time.monotonic() - start)
            wait("the engine", engine_answers)
            engine_times.append(time.monotonic() - start)
            if run < 4:
                app.terminate()
                app.wait()
                wait("the app to go", lambda: not engine_answers())
        procs.append(app)

        time.sleep(15)
        closed = memory(app.pid, work / "data")
        subprocess.run([str(APP)], env=env, check=True)  # a second launch opens the window
        window = wait("the window", lambda: subprocess.run(
            ["xdotool", "search", "--name", "^Klaxon$"], env=env,
            capture_output=True, text=True).stdout.split())
        time.sleep(10)
        opened = memory(app.pid, work / "data")
        def close_window(window):
            subprocess.run(["python3", str(CLOSE), window[0]], env=env, check=True)
            # The window's process ends with its window: wait for the tree to be the tray alone.
            wait("the window's process to end",
                 lambda: len(tree(app.pid)) == 1 and not windows_of(work / "data"), limit=30)

        close_window(window)
        time.sleep(10)
        reclosed = memory(app.pid, work / "data")
        for _ in range(4):
            subprocess.run([str(APP)], env=env, check=True)
            window = wait("the window", lambda: subprocess.run(
                ["xdotool", "search", "--name", "^Klaxon$"], env=env,
                capture_output=True, text=True).stdout.split())
            time.sleep(3)
            close_window(window)
        time.sleep(10)
        cycled = memory(app.pid, work / "data")

        ms = lambda xs: f"median {statistics.median(xs) * 1000:.0f} ms, worst {max(xs) * 1000:.0f} ms"
        print("klaxon-app (release), 10 HTTP monitors, Xvfb, private session bus:")
        print(f"  launch -> tray ready (tray item exported on the bus): {ms(tray_times)}")
        print(f"  launch -> engine ready (control socket answers):      {ms(engine_times)}")
        for label, (rss, pss, names) in [("window closed (never opened)", closed),
                                         ("window open", opened),
                                         ("window closed again", reclosed),
                                         ("after 4 more open/close", cycled)]:
            print(f"  {label:30} RSS sum {rss:6.1f} MB, PSS sum {pss:6.1f} MB  "
                  f"({len(names)} processes: {', '.join(sorted(set(names)))})")
    finally:
        for p in reversed(procs):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
