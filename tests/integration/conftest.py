"""Fixtures and hooks for Arca's black-box integration suite.

Starts the real `arca` binary (ARCA_BIN, default <repo>/build/arca) on temp
data dirs per test module; helpers live in arca_harness.py. Standard library
only (plus pytest itself).
"""

import fcntl
import os
import shutil
import signal
import tempfile
import time

import pytest

import arca_harness as h


def pytest_configure(config):
    config.addinivalue_line("markers", "big: the multi-GiB streaming test (skip with ARCA_SKIP_BIG=1)")
    config.addinivalue_line("markers", "local_store: looks inside the embedded file store (objects/ on disk, "
                                       "Arca's own /blob links); skipped when ARCA_TEST_STORE=s3")
    config.addinivalue_line("markers", "timeout(seconds): per-test time limit (default %d s)" % h.DEFAULT_TEST_TIMEOUT)


BUILD_LOCK = "/tmp/arca-build.lock"
_BIN_COPY_DIR: str | None = None


def pytest_sessionstart(session):
    """Runs the whole session on a private copy of the binary.

    Other people rebuild build/arca while tests run; a copy taken under the
    build lock (shared) means no test ever sees a half-linked or swapped binary."""
    global _BIN_COPY_DIR
    with open(BUILD_LOCK, "a") as lock:
        deadline = time.monotonic() + 600  # a build in progress finishes first
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break  # copy anyway rather than hang
                time.sleep(0.2)
        try:
            if not os.access(h.ARCA_BIN, os.X_OK):
                return  # the `arca` fixture reports it
            _BIN_COPY_DIR = tempfile.mkdtemp(prefix="arca-it-bin-")
            target = os.path.join(_BIN_COPY_DIR, "arca")
            shutil.copy2(h.ARCA_BIN, target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    h.ARCA_BIN = target


def pytest_sessionfinish(session, exitstatus):
    if _BIN_COPY_DIR:
        shutil.rmtree(_BIN_COPY_DIR, ignore_errors=True)


class ArcaTestTimeout(Exception):
    pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    marker = item.get_closest_marker("timeout")
    limit = int(marker.args[0]) if marker else h.DEFAULT_TEST_TIMEOUT

    def on_alarm(signum, frame):
        raise ArcaTestTimeout(f"test exceeded its {limit} s limit")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(limit)
    try:
        return (yield)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if rep.failed:
        for s in list(h._SERVERS):
            state = "running" if s.running() else f"exited rc={s.proc.returncode if s.proc else None}"
            rep.sections.append((f"arca server '{s.name}' ({state}) stderr, last 40 lines", s.stderr_tail(40)))
    return rep


@pytest.fixture(scope="module")
def arca(tmp_path_factory, request):
    assert os.access(h.ARCA_BIN, os.X_OK), f"no arca binary at {h.ARCA_BIN} (set ARCA_BIN or build it)"
    factory = h.ArcaFactory(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def dep(arca) -> h.Deployment:
    """The default deployment of a module: async writes, workers on, users root (admin), alice, bob."""
    return arca.deployment()


def pytest_collection_modifyitems(config, items):
    if h.TEST_STORE != "s3":
        return
    skip = pytest.mark.skip(reason="inspects the embedded file store; this run stores objects in S3")
    for item in items:
        if "local_store" in item.keywords:
            item.add_marker(skip)
