#!/usr/bin/env python3
"""`make soak`: Klaxon under a long, messy night, and a check that it lost and doubled nothing.

200 HTTP services on 127.0.0.1 flap on their own schedules (long outages of 20-40 s that
Klaxon must confirm, and 0.5 s blips it must not), each logging when it went down and came back.
The release `klaxon run` watches them, is killed with SIGKILL every 2-3 minutes and started
again at once, while `klaxon status` and `klaxon ack` talk to it over the control socket every
few seconds (the acknowledgements keep the incidents moving, so the siren does not matter; there
is no sound server or card anyway). Every ~10 s the engine's RSS, open files and threads are
sampled.

At the end the services' own outage logs are reconciled against `klaxon history --json`:
  - lost: an outage that Klaxon could watch long enough to confirm has no incident;
  - doubled: an outage has more than one incident;
  - phantom: an incident starts in no logged outage (a blip, or no outage at all);
  - stuck: an incident is still open after every service has been up for a minute;
and the resources must stay flat: the last quarter's mean within 20% (or 5 MB / 5 files /
2 threads) of the second quarter's. Any violation exits 1.

SOAK_MINUTES (default 10) sets the length; SOAK_SEED the schedules. A Python script rather than
a Rust binary: the services, the kills and the bookkeeping are plain process and socket work,
and the soak must judge the real release binaries from outside, as a user's machine runs them.
Everything talks to 127.0.0.1 only."""

import asyncio
import json
import os
import pathlib
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime

HERE = pathlib.Path(__file__).resolve().parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", HERE.parent / "target"))
KLAXON = TARGET / "release" / "klaxon"

SERVICES = 200
EVERY, TIMEOUT, CONFIRM, RECOVER, RETRY = 5, 2, 2, 2, 1  # seconds, as in the config below
WARM_UP = 20          # all up at first: Klaxon sees every service healthy
SETTLE = 60           # all up at the end: every incident recovers and is acknowledged
LONG = (20.0, 40.0)   # outages Klaxon must confirm
UP = (20.0, 70.0)     # time up between outages
BLIP = 0.5            # shorter than the re-checks: must never open an incident
KILL_EVERY = (120.0, 180.0)
SAMPLE_EVERY = 10.0
# An outage Klaxon could watch without a break for this long must have been confirmed: a
# check slot, the re-checks, a timeout, and slack for a busy 2-core machine.
CONFIRMABLE = EVERY + CONFIRM * RETRY + TIMEOUT + 4
SLACK = 1.5           # seconds of clock and scheduling slack when matching times


class Service:
    """One loopback HTTP service whose outages follow its own schedule and are logged."""

    def __init__(self, index, rng):
        self.index = index
        self.name = f"svc-{index:03}"
        self.rng = rng
        self.down = False
        # Even services answer 503 when down; odd ones hang up without a word.
        self.refuse = index % 2 == 0
        self.outages = []  # {"down": t, "up": t, "kind": "long"|"blip"}
        self.port = None

    async def serve(self):
        server = await asyncio.start_server(self.answer, "127.0.0.1", 0, backlog=64)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def answer(self, reader, writer):
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            if not self.down:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            elif self.refuse:
                writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n"
                             b"Connection: close\r\n\r\ndown")
            await writer.drain()
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def outage(self, seconds, kind):
        self.down = True
        record = {"down": time.time(), "up": None, "kind": kind}
        self.outages.append(record)
        await asyncio.sleep(seconds)
        self.down = False
        record["up"] = time.time()

    async def flap(self, start, flap_end):
        """Up and down until `flap_end` (monotonic), never starting an outage it cannot end."""
        await asyncio.sleep(max(0.0, start + WARM_UP - time.monotonic()))
        await asyncio.sleep(self.rng.uniform(0, UP[1] - UP[0]))  # spread the first outages
        while True:
            down = self.rng.uniform(*LONG)
            if time.monotonic() + down > flap_end:
                return
            await self.outage(down, "long")
            up = self.rng.uniform(*UP)
            if up >= 30 and self.rng.random() < 0.4:
                # A blip in the middle, well away from the long outages on either side.
                await asyncio.sleep(up / 2)
                await self.outage(BLIP, "blip")
                await asyncio.sleep(up / 2 - BLIP)
            else:
                await asyncio.sleep(up)


class Engine:
    """`klaxon run`, killed and restarted; remembers when it could not watch."""

    def __init__(self, work, env):
        self.work = work
        self.env = env
        self.proc = None
        self.starts = 0
        self.blind = []  # [from, until] wall times when no engine was watching

    async def start(self):
        self.starts += 1
        log = open(self.work / f"run-{self.starts}.log", "wb")
        began = time.time()
        self.proc = await asyncio.create_subprocess_exec(
            str(KLAXON), "run", env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=log)
        log.close()
        deadline = time.monotonic() + 30
        while not await live(self.env):
            if self.proc.returncode is not None or time.monotonic() > deadline:
                sys.exit(f"klaxon run did not come up; see {self.work}/run-{self.starts}.log")
            await asyncio.sleep(0.1)
        return began, time.time()

    async def kill9(self):
        killed = time.time()
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        _, ready = await self.start()
        self.blind.append((killed, ready))
        return ready - killed

    async def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def klaxon(env, *args, timeout=15):
    """Runs a one-shot `klaxon` command: (exit code, stdout, seconds it took)."""
    began = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        str(KLAXON), *args, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        return -1, b"", time.monotonic() - began
    return proc.returncode, out, time.monotonic() - began


async def live(env):
    """Whether an engine answers on the control socket (`status` falls back to the database)."""
    code, out, _ = await klaxon(env, "status", "--json")
    try:
        return code == 0 and json.loads(out).get("live") is True
    except ValueError:
        return False


def proc_figures(pid):
    """(RSS MB, open files, threads) of a live process, or None."""
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
        files = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, files, int(fields["Threads"])


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


def longest_watched(outage, blind):
    """The longest stretch of `outage` during which an engine was watching."""
    start, end = outage["down"], outage["up"]
    pieces = [(start, end)]
    for b0, b1 in blind:
        cut = []
        for p0, p1 in pieces:
            if b1 <= p0 or b0 >= p1:
                cut.append((p0, p1))
                continue
            if b0 > p0:
                cut.append((p0, b0))
            if b1 < p1:
                cut.append((b1, p1))
        pieces = cut
    return max((p1 - p0 for p0, p1 in pieces), default=0.0)


def reconcile(services, incidents, blind):
    """Violations (lost, doubled, phantom, stuck) and a few figures."""
    by_monitor = {}
    for i in incidents:
        by_monitor.setdefault(i["monitor"], []).append(i)
    problems, delays = [], []
    counts = {"long": 0, "blip": 0, "confirmable": 0, "matched": 0, "unwatched": 0}
    for s in services:
        mine = by_monitor.pop(s.name, [])
        claimed = set()
        for o in s.outages:
            if o["up"] is None:
                continue  # cut off by the end of the soak
            counts[o["kind"]] += 1
            hits = [i for i in mine
                    if o["down"] - SLACK <= parse_time(i["first_failure_at"]) <= o["up"] + SLACK]
            claimed.update(i["id"] for i in hits)
            when = datetime.fromtimestamp(o["down"]).strftime("%H:%M:%S")
            span = f"{s.name} {o['kind']} outage at {when} for {o['up'] - o['down']:.1f} s"
            if o["kind"] == "blip":
                if hits:
                    problems.append(f"phantom: {span} opened incident #{hits[0]['id']}")
                continue
            if longest_watched(o, blind) < CONFIRMABLE:
                counts["unwatched"] += 1
                if len(hits) > 1:
                    problems.append(f"doubled: {span} has {len(hits)} incidents")
                continue
            counts["confirmable"] += 1
            if not hits:
                problems.append(f"lost: {span} has no incident")
            elif len(hits) > 1:
                ids = ", ".join(f"#{i['id']}" for i in hits)
                problems.append(f"doubled: {span} has incidents {ids}")
            else:
                counts["matched"] += 1
                delays.append(parse_time(hits[0]["opened_at"]) - o["down"])
        for i in mine:
            if i["id"] not in claimed:
                problems.append(f"phantom: incident #{i['id']} on {s.name} at "
                                f"{i['first_failure_at']} matches no logged outage")
            if i["state"] != "resolved":
                problems.append(f"stuck: incident #{i['id']} on {s.name} is still {i['state']}")
    for name, mine in by_monitor.items():
        problems.append(f"phantom: {len(mine)} incidents on {name}, which is no service")
    return problems, counts, delays


def flatness(samples):
    """Violations of 'flat' and the table: the last quarter's mean against the second
    quarter's, over the whole run and within each engine's lifetime long enough to judge (a
    restart starts small, so a leak could hide behind the kills in the whole-run figures)."""
    problems, rows = [], []
    if len(samples) < 8:
        return [f"only {len(samples)} resource samples: run longer (SOAK_MINUTES)"], rows
    lifetimes = {}
    for s in samples:
        lifetimes.setdefault(s[1], []).append(s)
    spans = [("whole run", samples)] + [
        (f"engine pid {pid}", xs) for pid, xs in lifetimes.items() if len(xs) >= 8]
    for label, xs in spans:
        n = len(xs)
        q2, q4 = xs[n // 4: n // 2], xs[3 * n // 4:]
        cells = []
        for k, (what, unit, floor) in enumerate([("RSS", " MB", 5.0), ("open files", "", 5),
                                                 ("threads", "", 2)]):
            a = statistics.mean(x[k + 2] for x in q2)
            b = statistics.mean(x[k + 2] for x in q4)
            cells.append(f"{what} {a:.1f} -> {b:.1f}{unit}")
            if b > max(a * 1.2, a + floor):
                problems.append(f"not flat ({label}): {what} grew from {a:.1f} to {b:.1f}{unit}")
        rows.append(f"  {label:18} ({n:3} samples, second quarter -> last quarter): "
                    + ", ".join(cells))
    return problems, rows


async def soak(minutes, seed, work):
    rng = random.Random(seed)
    services = [Service(i, random.Random(rng.random())) for i in range(SERVICES)]
    servers = [await s.serve() for s in services]
    monitors = "".join(
        f'[[monitor]]\nname = "{s.name}"\nurl = "http://127.0.0.1:{s.port}/health"\n'
        f'every = "{EVERY}s"\ntimeout = "{TIMEOUT}s"\n\n' for s in services)
    (work / "klaxon.toml").write_text(
        f'[alarm]\nraise_system_volume = false\n\n'
        f'[judge]\nconfirm = {CONFIRM}\nrecover = {RECOVER}\nretry_every = "{RETRY}s"\n'
        f'witnesses = []\n\n{monitors}')
    # No sound: no sound server in an empty runtime dir, none autospawned, and ALSA's default
    # a card that does not exist. The siren keeps trying; the soak measures that too.
    runtime = work / "runtime"
    runtime.mkdir(mode=0o700)
    (runtime / "client.conf").write_text("autospawn = no\n")
    (runtime / "asound.conf").write_text("pcm.!default {\n  type hw\n  card 99\n}\n")
    env = dict(os.environ, KLAXON_CONFIG=str(work / "klaxon.toml"),
               KLAXON_DATA_DIR=str(work / "data"), XDG_RUNTIME_DIR=str(runtime),
               PULSE_SERVER=f"unix:{runtime}/no-such-socket",
               PULSE_CLIENTCONFIG=str(runtime / "client.conf"),
               ALSA_CONFIG_PATH=str(runtime / "asound.conf"), KLAXON_LOG="info")

    start = time.monotonic()
    end = start + minutes * 60
    flap_end = end - SETTLE
    engine = Engine(work, env)
    began, ready = await engine.start()
    print(f"klaxon run up in {ready - began:.2f} s; {SERVICES} services flapping for "
          f"{minutes} min (seed {seed}), work dir {work}", flush=True)
    flappers = [asyncio.create_task(s.flap(start, flap_end)) for s in services]
    samples, restarts, talk = [], [], {"status": [], "ack": [], "failed": 0}

    async def kills():
        while True:
            await asyncio.sleep(rng.uniform(*KILL_EVERY))
            if time.monotonic() > flap_end:
                return
            restarts.append(await engine.kill9())
            print(f"  kill -9 #{len(restarts)}: watching again after {restarts[-1]:.2f} s",
                  flush=True)

    async def control():
        turn = 0
        while True:
            await asyncio.sleep(1.5)
            turn += 1
            what = "status" if turn % 2 else "ack"
            code, _, took = await klaxon(env, *(["status", "--json"] if what == "status"
                                                else ["ack"]))
            # `ack` exits 2 when nothing rings; only a timeout or a dead socket is a failure.
            if code in (0, 2 if what == "ack" else 0):
                talk[what].append(took)
            else:
                talk["failed"] += 1

    async def sampler():
        while True:
            figures = proc_figures(engine.proc.pid)
            if figures:
                samples.append((time.monotonic() - start, engine.proc.pid, *figures))
                t, _, rss, files, threads = samples[-1]
                print(f"  {t:6.0f} s  pid {engine.proc.pid}  RSS {rss:6.1f} MB  "
                      f"files {files:4}  threads {threads:3}", flush=True)
            await asyncio.sleep(SAMPLE_EVERY)

    helpers = [asyncio.create_task(f()) for f in (kills, control, sampler)]
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    # Every service has been up for SETTLE seconds: wait (briefly) for the last resolutions.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        code, out, _ = await klaxon(env, "status", "--json")
        if code == 0 and not json.loads(out).get("incidents"):
            break
        await asyncio.sleep(1)
    for task in helpers + flappers:
        task.cancel()
    await engine.stop()
    for server in servers:
        server.close()

    code, out, _ = await klaxon(env, "history", "--json", timeout=60)
    if code != 0:
        sys.exit(f"klaxon history --json failed ({code})")
    incidents = json.loads(out)
    (work / "outages.json").write_text(json.dumps({s.name: s.outages for s in services}))
    (work / "history.json").write_bytes(out)

    problems, counts, delays = reconcile(services, incidents, engine.blind)
    resource_problems, rows = flatness(samples)
    problems += resource_problems
    noise = sum(1 for p in work.glob("run-*.log")
                for line in p.read_text(errors="replace").splitlines()
                if "ALSA lib" in line or "jack" in line.lower() or "Cannot connect" in line)

    q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")
    print(f"\nsoak: {minutes} min, {SERVICES} monitors every {EVERY} s, "
          f"{len(restarts)} kill -9 and restart (back in median "
          f"{statistics.median(restarts) if restarts else float('nan'):.2f} s)")
    print(f"  outages logged: {counts['long']} long (20-40 s), {counts['blip']} blips "
          f"({BLIP} s); {counts['confirmable']} confirmable, {counts['matched']} with exactly "
          f"one incident, {counts['unwatched']} cut short by a kill (not judged)")
    print(f"  incidents in history: {len(incidents)}; outage start -> incident opened: "
          f"median {q(delays, 0.5):.1f} s, p99 {q(delays, 0.99):.1f} s, max "
          f"{max(delays, default=float('nan')):.1f} s")
    for what in ("status", "ack"):
        xs = talk[what]
        print(f"  klaxon {what}: {len(xs)} answered, median {q(xs, 0.5) * 1000:.0f} ms, "
              f"max {max(xs, default=0) * 1000:.0f} ms")
    print(f"  control commands that failed (engine being restarted included): {talk['failed']}")
    print(f"  audio-library lines on klaxon run's stderr: {noise}")
    print("  resources (sampled every 10 s; allowed: +20% or +5 MB / +5 files / +2 threads):")
    print("\n".join(rows))
    if problems:
        print(f"\nFAIL: {len(problems)} violations")
        for p in problems[:50]:
            print(f"  {p}")
        return 1
    print("\nPASS: nothing lost, nothing doubled, no phantoms, resources flat")
    return 0


def main():
    if not KLAXON.exists():
        sys.exit(f"{KLAXON} is missing: cargo build --release -p klaxon-cli")
    minutes = float(os.environ.get("SOAK_MINUTES", "10"))
    if minutes * 60 < WARM_UP + SETTLE + 2 * (LONG[1] + UP[1]):
        sys.exit("SOAK_MINUTES must leave room for two outages per service: at least 5")
    seed = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
    work = pathlib.Path(tempfile.mkdtemp(prefix="klaxon-soak-"))
    try:
        code = asyncio.run(soak(minutes, seed, work))
    finally:
        if os.environ.get("SOAK_KEEP"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
