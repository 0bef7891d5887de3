"""Helpers the benchmarks share: running commands, psql, percentiles, services."""
import os
import re
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def sh(cmd, **kw):
    """Runs a command; its stdout, or exit with its stderr."""
    r = subprocess.run(cmd, text=True, capture_output=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    return r.stdout


def psql(url, sql):
    return sh(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def services_env():
    """Starts scripts/services (or reuses them) and returns its export lines as a dict."""
    out = sh([os.path.join(ROOT, "scripts", "services"), "up"])
    return {k: v.strip("'") for k, v in re.findall(r"^export (\w+)=(.*)$", out, re.M)}


def cpu_seconds(pid):
    """User + system CPU a process has used so far, in seconds (from /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listener_pid(port):
    """The local process listening on TCP `port`, or None (a remote server, or not ours to see)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                for line in f.readlines()[1:]:
                    cols = line.split()
                    if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{cols[9]}]")
        except OSError:
            continue
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    return None
