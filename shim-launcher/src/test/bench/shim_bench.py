#!/usr/bin/env python3
"""Start-up, delete and memory figures of a jrunc dist (measurement tool, not part of the shim).

    shim_bench.py micro DIST [ROUNDS] [ENV=VALUE ...]
                                           start cold/warm, daemon time to first answer, delete
    shim_bench.py cold ROUNDS DIST [DIST ...]
                                           start with no daemon alive, and start to first Connect answered, of
                                           several dists interleaved round by round (one sample each per round),
                                           each start in a group of its own (JRUNC_GROUPING=container)
    shim_bench.py flags DIST [ROUNDS]      leave-one-out: each launcher JVM flag removed in turn (with an AOT cache
                                           retrained for it): start CPU, daemon CPU to first answer, RSS/PSS
    shim_bench.py density DIST [CONTAINERS] [ENV=VALUE ...]
                                           CONTAINERS running at once: shim daemons, their summed RSS and PSS
    shim_bench.py e2e DIST [ROUNDS] [ENV=VALUE ...]
                                           ctr run -d / kill+delete through a private containerd,
                                           RSS/PSS of an idle daemon serving one container

DIST is a shim-launcher/target/dist (or a copy of an older one, to compare). Needs root, containerd
1.6, ctr, runc and busybox-static; run it on a quiet machine and compare only figures of one run.
ENV=VALUE pairs go into the shim's (e2e: containerd's) environment, e.g. JRUNC_GROUPING=namespace or
JRUNC_JAVA_OPTS=-XX:AOTMode=off to compare one JVM flag; e2e takes RUNTIME=io.containerd.runc.v2 to
measure the Go shim instead.
"""
import os
import resource
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

SHIM = "containerd-shim-jrunc-v2"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, payload):
    return bytes([number << 3 | 2]) + varint(len(payload)) + payload


def ttrpc_call(path, method, payload, timeout=30.0):
    """One unary call to containerd.task.v2.Task; returns the raw Response bytes."""
    body = field(1, b"containerd.task.v2.Task") + field(2, method.encode()) + field(3, payload)
    frame = struct.pack(">IIBB", len(body), 1, 1, 0) + body
    deadline = time.monotonic() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(path)
            break
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)
    with s:
        s.sendall(frame)
        header = recv_exactly(s, 10)
        length = struct.unpack(">I", header[:4])[0]
        return recv_exactly(s, length)


def fields(message):
    """The top-level fields of a protobuf message: {number: value} (varints and length-delimited only)."""
    out, i = {}, 0
    while i < len(message):
        key, i = read_varint(message, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            out[number], i = read_varint(message, i)
        elif wire == 2:
            length, i = read_varint(message, i)
            out[number], i = message[i:i + length], i + length
        else:
            raise ValueError(f"wire type {wire}")
    return out


def read_varint(data, i):
    value, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def cpu_ms(pid):
    """utime + stime of a live process, in ms."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def children_cpu_ms():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1000


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def ms(ns):
    return ns / 1e6


def summary(name, values):
    values = sorted(values)
    print(f"{name:42s} n={len(values):3d} median={statistics.median(values):8.1f} ms"
          f"  min={values[0]:8.1f}  max={values[-1]:8.1f}", flush=True)


def run_shim(dist, bundle, args, env=None, stdin=b"", cpu=None):
    cmd = [os.path.join(dist, "bin", SHIM)] + args
    c0 = children_cpu_ms()
    t0 = time.monotonic_ns()
    p = subprocess.run(cmd, cwd=bundle, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env or os.environ.copy())
    t1 = time.monotonic_ns()
    if cpu is not None:
        cpu.append(children_cpu_ms() - c0)
    return p, t1 - t0, t0


def wait_gone(path, timeout=20.0):
    deadline = time.monotonic() + timeout
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)


def micro(dist, rounds, extra_env):
    work = tempfile.mkdtemp(prefix="jb-", dir="/tmp")
    address = os.path.join(work, "ctd.sock")
    ns = "bench"
    env = os.environ.copy()
    env["TTRPC_ADDRESS"] = address + ".ttrpc"
    env.update(extra_env)
    cold, ttfa, warm, delete_jvm, delete_fast = [], [], [], [], []
    cold_cpu, daemon_cpu, warm_cpu, delete_jvm_cpu, delete_fast_cpu = [], [], [], [], []
    try:
        # start, cold: a new daemon each time; then the first Connect it answers; then Shutdown.
        for i in range(rounds):
            bundle = os.path.join(work, f"c{i}")
            os.mkdir(bundle)
            with open(os.path.join(bundle, "config.json"), "w") as f:
                f.write("{}")
            p, took, t0 = run_shim(dist, bundle, ["-namespace", ns, "-id", f"c{i}", "-address", address, "start"], env,
                                   cpu=cold_cpu)
            if p.returncode != 0:
                raise SystemExit(f"start failed: {p.stdout!r}")
            sock = p.stdout.decode().strip()[len("unix://"):]
            response = fields(ttrpc_call(sock, "Connect", field(1, f"c{i}".encode())))
            t2 = time.monotonic_ns()
            daemon_cpu.append(cpu_ms(fields(response[2])[1]))
            cold.append(ms(took))
            ttfa.append(ms(t2 - t0))
            if i == 0:
                # start, warm: join the live daemon (same group), many times.
                for j in range(rounds):
                    p, took, _ = run_shim(dist, bundle, ["-namespace", ns, "-id", "c0", "-address", address, "start"], env,
                                          cpu=warm_cpu)
                    if p.returncode != 0 or p.stdout.decode().strip() != "unix://" + sock:
                        raise SystemExit(f"warm start failed: {p.stdout!r}")
                    warm.append(ms(took))
            ttrpc_call(sock, "Shutdown", field(1, f"c{i}".encode()))
            wait_gone(sock)
        # delete of a bundle the daemon already cleaned up (marker) and of one it did not (no marker).
        for i in range(rounds):
            bundle = os.path.join(work, f"d{i}")
            os.mkdir(bundle)
            with open(os.path.join(bundle, "init.pid"), "w") as f:
                f.write("4242")
            p, took, _ = run_shim(dist, bundle, ["-namespace", ns, "-id", f"d{i}", "-address", address,
                                                 "-bundle", bundle, "delete"], env, cpu=delete_jvm_cpu)
            if p.returncode != 0:
                raise SystemExit(f"delete failed: {p.stdout!r}")
            delete_jvm.append(ms(took))
            with open(os.path.join(bundle, ".jrunc-deleted"), "w") as f:
                f.write("4242 0 1700000000 5\n")
            p, took, _ = run_shim(dist, bundle, ["-namespace", ns, "-id", f"d{i}", "-address", address,
                                                 "-bundle", bundle, "delete"], env, cpu=delete_fast_cpu)
            if p.returncode != 0:
                raise SystemExit(f"delete failed: {p.stdout!r}")
            delete_fast.append(ms(took))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary("start, new daemon (cold)", cold)
    summary("  its CPU time", cold_cpu)
    summary("start -> first Connect answered", ttfa)
    summary("  daemon CPU time until then", daemon_cpu)
    summary("start, daemon alive (warm)", warm)
    summary("  its CPU time", warm_cpu)
    summary("delete, no marker (real cleanup)", delete_jvm)
    summary("  its CPU time", delete_jvm_cpu)
    summary("delete, marker present", delete_fast)
    summary("  its CPU time", delete_fast_cpu)


def cold(rounds, dists):
    work = tempfile.mkdtemp(prefix="jb-", dir="/tmp")
    address = os.path.join(work, "ctd.sock")
    env = os.environ.copy()
    env["TTRPC_ADDRESS"] = address + ".ttrpc"
    env["JRUNC_GROUPING"] = "container"
    env["JRUNC_SOCKET_DIR"] = os.path.join(work, "s")
    results = {d: ([], [], [], []) for d in dists}  # start wall, start CPU, to first Connect, daemon CPU
    try:
        for i in range(rounds):
            for k, dist in enumerate(dists):
                cid = f"c{i}-{k}"
                bundle = os.path.join(work, cid)
                os.mkdir(bundle)
                with open(os.path.join(bundle, "config.json"), "w") as f:
                    f.write("{}")
                wall, cpu, ttfa, daemon = results[dist]
                p, took, t0 = run_shim(dist, bundle, ["-namespace", "cold", "-id", cid, "-address", address, "start"],
                                       env, cpu=cpu)
                if p.returncode != 0:
                    raise SystemExit(f"start failed: {p.stdout!r}")
                sock = p.stdout.decode().strip()[len("unix://"):]
                response = fields(ttrpc_call(sock, "Connect", field(1, cid.encode())))
                t2 = time.monotonic_ns()
                daemon.append(cpu_ms(fields(response[2])[1]))
                wall.append(ms(took))
                ttfa.append(ms(t2 - t0))
                ttrpc_call(sock, "Shutdown", field(1, cid.encode()))
                wait_gone(sock)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for dist in dists:
        wall, cpu, ttfa, daemon = results[dist]
        print(dist)
        summary("  start, new daemon (cold)", wall)
        summary("    its CPU time", cpu)
        summary("  start -> first Connect answered", ttfa)
        summary("    daemon CPU time until then", daemon)


# (name, words removed from the launcher's JVM command line, other change: "add:<flag>", "no-aot", "no-native")
VARIANTS = [
    ("as shipped", [], None),
    ("no AOT cache", [], "no-aot"),
    ("no pre-extracted natives", [], "no-native"),
    ("G1 instead of SerialGC", ["-XX:+UseSerialGC"], None),
    ("no -Xms8m -Xmn2m", ["-Xms8m", "-Xmn2m"], None),
    ("no heap bound/free ratios", ["-Xmx128m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"], None),
    ("with -Xss256k", [], "add:-Xss256k"),
    ("C2 too (no TieredStopAtLevel=1, CICompilerCount=1)", ["-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1"], None),
    ("with MaxMetaspaceSize=64m", [], "add:-XX:MaxMetaspaceSize=64m"),
    ("with UseCompactObjectHeaders", [], "add:-XX:+UseCompactObjectHeaders"),
    ("UsePerfData on", ["-XX:-UsePerfData"], None),
    ("ArchiveRelocationMode default", ["-XX:ArchiveRelocationMode=0"], None),
    ("Netty JFR on", ["-Dio.netty.jfr.enabled=false"], None),
    ("jnr-ffi generating classes (ASM)", ["-Djnr.ffi.asm.enabled=false"], None),
]


def variant_dist(dist, work, words, change):
    copy = os.path.join(work, "dist")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(dist, copy, symlinks=True)
    script = os.path.join(copy, "bin", SHIM)
    with open(script) as f:
        text = f.read()
    for word in words:
        if f" {word}" not in text:
            raise SystemExit(f"{word} not in the launcher")
        text = text.replace(f" {word}", "")
    if change and change.startswith("add:"):
        text = text.replace(" -XX:+UseSerialGC", f" {change[4:]} -XX:+UseSerialGC")
    with open(script, "w") as f:
        f.write(text)
    aot = os.path.join(copy, "lib", "jrunc.aot")
    if change == "no-native":
        shutil.rmtree(os.path.join(copy, "lib", "native"))
    if os.path.exists(aot):
        os.remove(aot)
    if change != "no-aot":
        subprocess.run([script, "--aot-train", aot], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        check = subprocess.run([script, "-v"], env=dict(os.environ, JRUNC_JAVA_OPTS="-XX:AOTMode=on"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if check.returncode != 0:
            raise SystemExit("the retrained AOT cache is not usable")
    return copy


def flags(dist, rounds):
    work = tempfile.mkdtemp(prefix="jb-", dir="/tmp")
    address = os.path.join(work, "ctd.sock")
    env = dict(os.environ, TTRPC_ADDRESS=address + ".ttrpc")
    print(f"{'variant':52s} {'start CPU':>10s} {'daemon CPU':>10s} {'RSS':>8s} {'PSS(2)':>8s}  ms, ms, MB, MB (medians)")
    try:
        for name, words, change in VARIANTS:
            copy = variant_dist(dist, work, words, change)
            start_cpu, daemon_cpu, rss, pss = [], [], [], []
            for r in range(rounds):
                socks, pids = [], []
                for k in range(2):
                    bundle = os.path.join(work, f"b{r}-{k}")
                    os.makedirs(bundle, exist_ok=True)
                    with open(os.path.join(bundle, "config.json"), "w") as f:
                        f.write("{}")
                    p, _, _ = run_shim(copy, bundle, ["-namespace", "flags", "-id", f"v{r}-{k}", "-address", address, "start"],
                                       env, cpu=start_cpu)
                    sock = p.stdout.decode().strip()[len("unix://"):]
                    pid = fields(fields(ttrpc_call(sock, "Connect", field(1, b"x")))[2])[1]
                    daemon_cpu.append(cpu_ms(pid))
                    socks.append(sock)
                    pids.append(pid)
                for sock in socks:
                    for _ in range(300):
                        ttrpc_call(sock, "Connect", field(1, b"x"))
                time.sleep(1)
                for pid in pids:
                    m = memory(pid)
                    rss.append(m["Rss"])
                    pss.append(m["Pss"])
                for sock in socks:
                    ttrpc_call(sock, "Shutdown", field(1, b"x"))
                    wait_gone(sock)
            print(f"{name:52s} {statistics.median(start_cpu):10.0f} {statistics.median(daemon_cpu):10.0f} "
                  f"{statistics.median(rss):8.1f} {statistics.median(pss):8.1f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


CONFIG = """version = 2
root = "{d}/root"
state = "{d}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{d}/ctd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/opt"
"""


def rootfs(base):
    root = os.path.join(base, "rootfs")
    os.makedirs(os.path.join(root, "bin"))
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    for applet in ("sh", "sleep", "true"):
        os.symlink("busybox", os.path.join(root, "bin", applet))
    for d in ("proc", "sys", "dev", "tmp", "root", "etc", "run"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    return root


def ctr(d, ns, *args, check=True):
    p = subprocess.run(["ctr", "--address", f"{d}/ctd.sock", "-n", ns] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if check and p.returncode != 0:
        raise SystemExit(f"ctr {args} failed: {p.stdout.decode()}")
    return p.stdout.decode()


def memory(pid):
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:"):
                values[parts[0][:-1]] = int(parts[1]) / 1024
    return values


def daemons(d):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        text = b" ".join(args).decode(errors="replace")
        if f"{d}/ctd.sock" in text and " start" not in text and " delete" not in text and "ctr" not in args[0].decode(errors="replace"):
            if "java" in args[0].decode(errors="replace") or "containerd-shim" in text:
                found.append(int(pid))
    return found


def e2e(dist, rounds, extra_env, keep_running=False):
    runtime = extra_env.pop("RUNTIME", "io.containerd.jrunc.v2")
    d = tempfile.mkdtemp(prefix="jb-", dir="/tmp")
    with open(os.path.join(d, "config.toml"), "w") as f:
        f.write(CONFIG.format(d=d))
    root = rootfs(d)
    env = os.environ.copy()
    env["PATH"] = os.path.join(dist, "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
    env.update(extra_env)
    log = open(os.path.join(d, "containerd.log"), "w")
    ctd = subprocess.Popen(["containerd", "--config", os.path.join(d, "config.toml")], stdout=log,
                           stderr=subprocess.STDOUT, env=env, cwd=d)
    ns = "bench"
    runs, deletes = [], []
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(f"{d}/ctd.sock.ttrpc"):
            if time.monotonic() > deadline:
                raise SystemExit("containerd did not start")
            time.sleep(0.05)
        time.sleep(0.5)
        for i in range(rounds):
            t0 = time.monotonic_ns()
            ctr(d, ns, "run", "-d", "--null-io", "--runtime", runtime, "--rootfs", root,
                f"c{i}", "/bin/sleep", "300")
            runs.append(ms(time.monotonic_ns() - t0))
            if keep_running:
                continue
            if i == 0:
                time.sleep(2)
                pids = daemons(d)
                for pid in pids:
                    m = memory(pid)
                    print(f"idle daemon {pid} with 1 container: RSS {m['Rss']:.1f} MB, PSS {m['Pss']:.1f} MB")
            ctr(d, ns, "task", "kill", "-s", "SIGKILL", f"c{i}")
            deadline = time.monotonic() + 20
            while "STOPPED" not in ctr(d, ns, "task", "ls") and time.monotonic() < deadline:
                time.sleep(0.02)
            t0 = time.monotonic_ns()
            ctr(d, ns, "task", "delete", f"c{i}")
            deletes.append(ms(time.monotonic_ns() - t0))
            ctr(d, ns, "container", "delete", f"c{i}")
        summary("ctr run -d (start+Create+Start)", runs)
        if keep_running:
            time.sleep(2)
            pids = daemons(d)
            total = [memory(pid) for pid in pids]
            rss = sum(m["Rss"] for m in total)
            pss = sum(m["Pss"] for m in total)
            print(f"{rounds} containers: {len(pids)} shim daemons, RSS {rss:.0f} MB, PSS {pss:.0f} MB in all, "
                  f"PSS {pss / rounds:.1f} MB per container")
            for i in range(rounds):
                ctr(d, ns, "task", "kill", "-s", "SIGKILL", f"c{i}")
            deadline = time.monotonic() + 30
            while "RUNNING" in ctr(d, ns, "task", "ls") and time.monotonic() < deadline:
                time.sleep(0.05)
            for i in range(rounds):
                ctr(d, ns, "task", "delete", f"c{i}")
                ctr(d, ns, "container", "delete", f"c{i}")
            return
        summary("ctr task delete (Delete+Shutdown+delete)", deletes)
        time.sleep(1)
        print("shim daemons 1 s after the last delete:", daemons(d), "(a shared daemon lingers)")
    finally:
        for pid in daemons(d):
            os.kill(pid, signal.SIGTERM)
        ctd.terminate()
        ctd.wait(10)
        subprocess.run(["umount", "-R", d], stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    if sys.argv[1] == "cold" and len(sys.argv) > 3:
        cold(int(sys.argv[2]), [os.path.abspath(d) for d in sys.argv[3:]])
        return
    mode, dist = sys.argv[1], os.path.abspath(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    if mode == "micro":
        micro(dist, rounds, dict(a.split("=", 1) for a in sys.argv[4:]))
    elif mode == "flags":
        flags(dist, rounds)
    elif mode == "density":
        e2e(dist, rounds, dict(a.split("=", 1) for a in sys.argv[4:]), keep_running=True)
    elif mode == "e2e":
        e2e(dist, rounds, dict(a.split("=", 1) for a in sys.argv[4:]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
