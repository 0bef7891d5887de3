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
