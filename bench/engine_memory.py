#!/usr/bin/env python3
"""The headless engine's memory, as `make bench` reports it.

Runs the release `klaxon run` twice, each for a minute after it answers on its control socket:
  - with no monitors (the idle engine: nothing to watch, so the audio stack is not loaded);
  - with 100 HTTP monitors at 20 s against a loopback server (the audio stack loaded by the
    siren's first look at the output, through a private PulseAudio with a null sink, as on a
    laptop with a sound server).
It reports resident memory at the end (VmRSS) and its peak (VmHWM). Goals: idle at most
16 MiB, 100 monitors at most 24 MiB. Everything talks to 127.0.0.1 or a Unix socket only."""

import http.server
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from app_bench import Quiet  # noqa: E402  (the same loopback server answering 200)

HERE = pathlib.Path(__file__).resolve().parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", HERE.parent / "target"))
KLAXON = TARGET / "release" / "klaxon"
SETTLE = float(os.environ.get("KLAXON_BENCH_SETTLE", "60"))


def memory(pid):
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def sound_server(runtime):
    """A private PulseAudio with a null sink as its default output; None if there is none."""
    if shutil.which("pulseaudio") is None:
        return None
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), HOME=str(runtime))
    server = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
         "--load=module-native-protocol-unix auth-anonymous=1",
         "--load=module-null-sink sink_name=bench"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            subprocess.run(["pactl", "set-default-sink", "bench"], env=env, capture_output=True)
            return server
        time.sleep(0.05)
    server.kill()
    return None


def measure(monitors, port, runtime):
    with tempfile.TemporaryDirectory() as home:
        home = pathlib.Path(home)
        config = home / "klaxon.toml"
        text = '[judge]\nwitnesses = ["127.0.0.1:9"]\n\n'
        for i in range(monitors):
            text += (f'[[monitor]]\nname = "service {i}"\n'
                     f'url = "http://127.0.0.1:{port}/health/{i}"\nevery = "20s"\n\n')
        config.write_text(text)
        env = dict(os.environ, KLAXON_CONFIG=str(config), KLAXON_DATA_DIR=str(home / "data"),
                   XDG_RUNTIME_DIR=str(runtime), HOME=str(home))
        engine = subprocess.Popen([str(KLAXON), "run"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                said = subprocess.run([str(KLAXON), "status", "--json"], env=env,
                                      capture_output=True, text=True).stdout
                if '"live": true' in said or '"live":true' in said:
                    break
                time.sleep(0.1)
            else:
                sys.exit("klaxon run did not answer on its control socket")
            time.sleep(SETTLE)
            return memory(engine.pid)
        finally:
            engine.terminate()
            engine.wait(timeout=20)


def main():
    if not KLAXON.exists():
        sys.exit(f"{KLAXON} is missing: cargo build --release -p klaxon-cli")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as runtime:
        os.chmod(runtime, 0o700)
        pulse = sound_server(runtime)
        try:
            print(f"| `klaxon run` (release), {SETTLE:.0f} s after start | RSS | peak RSS |")
            print("|---|---|---|")
            for monitors in (0, 100):
                rss, peak = measure(monitors, port, runtime)
                what = "no monitors" if monitors == 0 else f"{monitors} monitors at 20 s"
                print(f"| {what} | {rss:.1f} MiB | {peak:.1f} MiB |")
            if pulse is None:
                print("(no PulseAudio here: the 100-monitor run had no sound server)")
        finally:
            if pulse is not None:
                pulse.kill()
                pulse.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
