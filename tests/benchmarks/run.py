#!/usr/bin/env python
"""Performance benchmark of hotfix-tui: start-up, status, toggles, large files, idle cost.

Times are medians of several runs, in seconds.
"""

#     python tests/benchmarks/run.py            # full run: a table of figures against targets
#     python tests/benchmarks/run.py --json     # one JSON object (the keys listed in KEYS)
#     python tests/benchmarks/run.py --quick    # 1-2 runs each and a 3 s idle window (CI smoke)
#     python tests/benchmarks/run.py --only scale,status   # only those parts (see PARTS)
#
# Fixtures are built in a temp git repo: a real 28-task hotfix incident (`create_incident`) and
# generated incidents of 1 000 and 10 000 tasks in 20 and 100 phases (with a hotfix.md and a
# post-mortem.md, so they open like incidents).
#
# - start-up (`startup_s`, `floor_startup_s`, `large_*_open_s`): a fresh process in a pseudo
#   terminal (100x40), from before the spawn to the first fully rendered, interactive frame,
#   which the app reports through `HOTFIX_TUI_BENCH_READY` (see `hotfix_tui/tui/ready_probe.py`);
#   the floor is `floor_app.py`, a bare Textual app showing the same phases and tasks with
#   Collapsible + Static, measured the same way in the same run, runs interleaved;
# - `status_s`: `hotfix-tui status --json SPEC` as a whole process;
# - toggles: in a child process, `App.run_test()` headless; from `pilot.press("space")` to the
#   return of the store's atomic write of tasks.md (written, fsynced, renamed, folder fsynced);
#   the new byte is then checked on disk;
# - `list_1000_s`, `stats_1000_s`: `hotfix-tui list --json` and `stats --json` as whole
#   processes on `main` of a repository whose 1 000 incidents live on 10 other branches and
#   their remote-tracking copies (nothing checked out; everything read from git objects);
# - `idle_cpu_percent` and `rss_mib`: the app left running in a pseudo terminal with its SLA
#   clock ticking; CPU from /proc/PID/stat over the window, VmRSS from /proc/PID/status.
# - `web_update_s`: `hotfix-tui serve` with one event stream open; from the mtime of tasks.md
#   written by a `hotfix-tui done`/`undo` process to the arrival of the board event showing it.
#   clock ticking; CPU from /proc/PID/stat over the window, VmRSS from /proc/PID/status;
#   `idle_cpu_dialog_percent` the same with the help dialog open (its clock dock ticking).
# - `status_vs_peer`: `hotfix-tui status --json` against spec-view 0.5.2's `list` (installed from
#   PyPI into a venv in the temp folder; skipped with a message when it cannot be) on a repo
#   holding only the 28-task incident, whole processes, runs interleaved; the ratio of medians.
#
# - per-task and per-incident cost, as ratios to floors of the same run (RATIOS): `status_10000_s`,
#   `status_100000_s` (+ `status_100000_rss_mib`, peak RSS of one process) against `status_s`;
#   `note_100000_s` against `note_s`, `done_100000_s` against `done_s`; `large_100000_open_s`
#   against `floor_startup_s`;
#   `list_1000_incidents_s` (warm: runs after the first), `list_1000_incidents_cold_s` (the first
#   run of a fresh repository) and `stats_1000_incidents_s` against `status_s`;
#   `status_10000_events_s` (the 28-task incident with 10 000 events in its log) against `status_s`;
#   `web_list_1000_incidents_s`: the web board (`web/data.py`, in a child process) reading every
#   branch again after one moved and listing the 1 000 incidents, against `status_s`;
#   `--quick` uses 20 000 tasks for the 100 000-task figures and 1/12 of the simulated day;
# - `idle_cpu_dialog_percent`: as idle CPU, with the help dialog (`?`) open over the live clock;
# - `rss_growth_24h_mib`: in a child, the app headless for 86 400 ticks of an injected clock, a
#   task checked/unchecked from outside every 2 minutes and reloaded; VmRSS growth over the day
#   after a warm-up of three simulated hours and the first teammate fetch (one-time costs).
#
# Measure a regular install (`pip install .`, as CI does; `install` in the output says which):
# an editable install's import hook adds ~9 ms to every process, which the peer does not pay.
#
# Child processes run without PYTHONDONTWRITEBYTECODE and after a discarded warm-up run, so they
# start like an installed program (bytecode cached), and with an empty config folder.

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KEYS = (
    "startup_s",
    "floor_startup_s",
    "status_s",
    "toggle_to_disk_s",
    "toggle_to_disk_p99_s",
    "large_1000_open_s",
    "large_1000_toggle_s",
    "large_10000_open_s",
    "large_10000_toggle_s",
    "idle_cpu_percent",
    "idle_cpu_dialog_percent",
    "rss_mib",
    "web_update_s",
    "list_1000_s",
    "stats_1000_s",
    "status_10000_s",
    "status_100000_s",
    "status_100000_rss_mib",
    "note_s",
    "note_100000_s",
    "done_s",
    "done_100000_s",
    "large_100000_open_s",
    "list_1000_incidents_s",
    "list_1000_incidents_cold_s",
    "stats_1000_incidents_s",
    "web_list_1000_incidents_s",
    "status_10000_events_s",
    "rss_growth_24h_mib",
    "status_vs_peer",
)

# key -> (limit, unit); startup_s is compared with 1.25 x floor_startup_s of the same run
TARGETS: dict[str, tuple[float | None, str]] = {
    "startup_s": (None, "s"),
    "floor_startup_s": (None, "s"),
    "status_s": (0.15, "s"),
    "toggle_to_disk_s": (0.015, "s"),
    "toggle_to_disk_p99_s": (0.05, "s"),
    "large_1000_open_s": (1.0, "s"),
    "large_1000_toggle_s": (0.03, "s"),
    "large_10000_open_s": (3.0, "s"),
    "large_10000_toggle_s": (0.05, "s"),
    "idle_cpu_percent": (0.5, "%"),
    "idle_cpu_dialog_percent": (0.5, "%"),
    "rss_mib": (80.0, "MiB"),
    "web_update_s": (2.0, "s"),
    "list_1000_s": (None, "s"),
    "stats_1000_s": (None, "s"),
    "status_10000_s": (None, "s"),
    "status_100000_s": (None, "s"),
    "status_100000_rss_mib": (110.0, "MiB"),
    "note_s": (None, "s"),
    "note_100000_s": (None, "s"),
    "done_s": (None, "s"),
    "done_100000_s": (None, "s"),
    "large_100000_open_s": (None, "s"),
    "list_1000_incidents_s": (None, "s"),
    "list_1000_incidents_cold_s": (None, "s"),
    "stats_1000_incidents_s": (None, "s"),
    "web_list_1000_incidents_s": (None, "s"),
    "status_10000_events_s": (None, "s"),
    "rss_growth_24h_mib": (5.0, "MiB"),
    "status_vs_peer": (0.75, "x"),
}
# key -> (floor key measured in the same run, factor): the target is factor x that floor
RATIOS: dict[str, tuple[str, float]] = {
    "startup_s": ("floor_startup_s", 1.15),
    "large_10000_open_s": ("floor_startup_s", 2.0),
    "status_10000_s": ("status_s", 3.0),
    "status_100000_s": ("status_s", 25.0),
    "note_100000_s": ("note_s", 10.0),
    "done_100000_s": ("done_s", 10.0),
    "large_100000_open_s": ("floor_startup_s", 6.0),
    "list_1000_incidents_s": ("status_s", 3.0),
    "list_1000_incidents_cold_s": ("status_s", 10.0),
    "stats_1000_incidents_s": ("status_s", 4.0),
    "web_list_1000_incidents_s": ("status_s", 3.0),
    "status_10000_events_s": ("status_s", 3.0),
}
# part -> the keys it measures (`--only PART,...`; a ratio also needs its floor's part)
PARTS: dict[str, tuple[str, ...]] = {
    "startup": ("startup_s", "floor_startup_s", "large_1000_open_s", "large_10000_open_s"),
    "status": ("status_s",),
    "toggles": (
        "toggle_to_disk_s",
        "toggle_to_disk_p99_s",
        "large_1000_toggle_s",
        "large_10000_toggle_s",
    ),
    "idle": ("idle_cpu_percent", "rss_mib"),
    "web": ("web_update_s",),
    "catalog": (
        "list_1000_s",
        "stats_1000_s",
        "list_1000_incidents_s",
        "list_1000_incidents_cold_s",
        "stats_1000_incidents_s",
        "web_list_1000_incidents_s",
    ),
    "scale": (
        "status_10000_s",
        "status_100000_s",
        "status_100000_rss_mib",
        "note_s",
        "note_100000_s",
        "done_s",
        "done_100000_s",
        "status_10000_events_s",
    ),
    "open100k": ("large_100000_open_s",),
    "dialog": ("idle_cpu_dialog_percent",),
    "day": ("rss_growth_24h_mib",),
    "peer": ("status_vs_peer",),  # not in --quick unless named: it installs spec-view from PyPI
}
PEER = "spec-view==0.5.2"  # `spec-view list` on the same 28-task repo (HOTFIX_TUI_BENCH_PEER:
# the path of a spec-view command already installed, instead of a fresh venv)
DAY_TICKS = 86_400  # one simulated day of 1 s clock ticks
RELOAD_EVERY = 120  # an outside change every 2 minutes of it
WARM_TICKS = 3 * 3600  # before the day: 90 outside changes fill every bounded cache
COLS, ROWS = 100, 40


# --- fixtures ----------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _large_tasks_md(hotfix_id: str, tasks: int, phases: int) -> str:
    per = tasks // phases
    out = [
        f"# Tasks: Hotfix - large checklist of {tasks} tasks",
        "",
        f"**Hotfix ID**: {hotfix_id}",
        "**Severity**: P1",
        "",
        "---",
        "",
    ]
    n = 0
    for p in range(1, phases + 1):
        out += [f"## Phase {p}: Generated phase number {p}", ""]
        for _ in range(per):
            n += 1
            mark = "x" if n % 7 == 0 else " "
            out.append(f"- [{mark}] **T{n:05d}** Generated task {n}: check the thing number {n}")
            if n % 3 == 0:
                out.append(f"  - Step one of task {n}")
                out.append(f"  - Step two of task {n}")
        out.append("")
    return "\n".join(out)


def build_fixtures(base: Path) -> dict[str, Path]:
    """A git repo with the real hotfix incident and two large generated ones."""
    from hotfix_tui.core.creating import create_incident
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    root = base / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Bench Mark")
    _git(root, "config", "user.email", "bench@example.com")
    (root / "README.md").write_text("bench\n", encoding="utf-8")
    _git(root, "add", "README.md")
    _git(root, "commit", "-q", "-m", "init")
    wf = resolve_workflow("hotfix", root)
    real = create_incident(root, "checkout API returns 500 errors", "P1", wf, branch=False)
    # an incident in progress: its detection is recorded, so opening it asks nothing (the
    # one-time detection prompt of a fresh incident is not what an engineer reopens into)
    Incident(real, wf, repo_root=root).set_detection(None, "error-rate alert")
    out = {"incident": real}
    for num, (tasks, phases) in enumerate(((1000, 20), (10000, 100)), start=901):
        folder = root / "specs" / f"hotfix-{num}-large-{tasks}-tasks"
        folder.mkdir(parents=True)
        hid = f"hotfix-{num}"
        (folder / "tasks.md").write_text(_large_tasks_md(hid, tasks, phases), encoding="utf-8")
        for name in ("hotfix.md", "post-mortem.md"):
            text = (real / name).read_text(encoding="utf-8")
            (folder / name).write_text(text.replace(real.name[:10], hid), encoding="utf-8")
        out[f"large_{tasks}"] = folder
    return out


def build_huge(base: Path, real: Path, tasks: int = 100_000, phases: int = 200) -> Path:
    """A generated incident of `tasks` tasks next to the others (committed, no event log)."""
    root = base / "repo"
    folder = root / "specs" / f"hotfix-904-large-{tasks}-tasks"
    folder.mkdir(parents=True)
    hid = "hotfix-904"
    (folder / "tasks.md").write_text(_large_tasks_md(hid, tasks, phases), encoding="utf-8")
    for name in ("hotfix.md", "post-mortem.md"):
        text = (real / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace(real.name[:10], hid), encoding="utf-8")
    _git(root, "add", "specs")
    _git(root, "commit", "-q", "-m", f"{tasks} tasks")
    return folder


def build_long_log(base: Path, real: Path, count: int = 10_000) -> Path:
    """A copy of the 28-task incident whose log holds `count` events (tasks done and reopened,
    so the files stay their usual size), projected once."""
    from datetime import UTC, datetime, timedelta

    from hotfix_tui.core.record import events as evlog
    from hotfix_tui.core.record.incident import Incident
    from hotfix_tui.core.workflow.loader import resolve_workflow

    root = base / "repo"
    folder = root / "specs" / "hotfix-905-long-event-log"
    shutil.copytree(real, folder)
    wf = resolve_workflow("hotfix", root)
    Incident(folder, wf, repo_root=root).repair()  # the log exists before the bulk is added
    rec = evlog.Recorder("bench", "Bench Mark")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    kinds = ("done", "reopen")
    made = [
        rec.make(kinds[i % 2], t0 + timedelta(seconds=i), task=f"T{10 + (i // 2) % 10:03d}")
        for i in range(count)
    ]
    evlog.append(folder, made)
    Incident(folder, wf, repo_root=root).repair()
    _git(root, "add", "specs")
    _git(root, "commit", "-q", "-m", "long event log")
    return folder


def build_team_repo(base: Path, real: Path, incidents: int = 1000, branches: int = 10) -> Path:
    """A repo on `main` whose incidents are on other branches and their remote-tracking copies
    (refs/remotes/origin/*), one copy of each branch a commit ahead of its remote."""
    root = base / "team"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Bench Mark")
    _git(root, "config", "user.email", "bench@example.com")
    _git(root, "commit", "-q", "--allow-empty", "-m", "init")
    texts = {n: (real / n).read_text(encoding="utf-8") for n in ("tasks.md", "hotfix.md")}
    texts["post-mortem.md"] = (real / "post-mortem.md").read_text(encoding="utf-8")
    per = incidents // branches
    for b in range(branches):
        _git(root, "switch", "-q", "-c", f"hotfix/batch-{b}", "main")
        for i in range(b * per + 1, (b + 1) * per + 1):
            folder = root / "specs" / f"hotfix-{i:04d}-generated-incident-{i}"
            folder.mkdir(parents=True)
            for name, text in texts.items():
                (folder / name).write_text(text.replace("hotfix-001", f"hotfix-{i:04d}"))
        _git(root, "add", "specs")
        _git(root, "commit", "-q", "-m", f"batch {b}")
        _git(root, "update-ref", f"refs/remotes/origin/hotfix/batch-{b}", "HEAD")
        first = root / "specs" / f"hotfix-{b * per + 1:04d}-generated-incident-{b * per + 1}"
        tasks = first / "tasks.md"
        tasks.write_text(tasks.read_text().replace("- [ ] **T002**", "- [x] **T002**", 1))
        _git(root, "commit", "-q", "-am", "T002 done")
    _git(root, "switch", "-q", "main")
    return root


def measure_status_rss(spec: Path, env: dict[str, str], cwd: Path, runs: int) -> tuple[list, float]:
    """Status times and the peak RSS of one status process, measured in a fresh child."""
    argv = status_argv(spec)
    times = measure_status(spec, env, cwd, runs)
    probe = [
        sys.executable,
        "-c",
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
        *argv,
    ]
    r = subprocess.run(probe, env=env, cwd=cwd, capture_output=True, check=True)
    return times, int(r.stdout.decode().strip()) / 1024


def timed_cli(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall time of one whole `hotfix-tui` command, which must succeed."""
    t0 = time.perf_counter()
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"{argv[1:3]} failed: {r.stderr.decode(errors='replace')}")
    return time.perf_counter() - t0


def measure_note(spec: Path, env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """`hotfix-tui note T001 TEXT --spec SPEC` as whole processes (one discarded warm-up)."""
    head = status_argv(spec)[:-3]
    ref = "T00001" if "large" in spec.name else "T001"
    times = [
        timed_cli([*head, "note", ref, f"benchmark note {i}", "--spec", str(spec)], env, cwd)
        for i in range(runs + 1)
    ]
    return times[1:]


def measure_done(spec: Path, env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """`hotfix-tui done T` then `undo T` (`--spec SPEC`), each a whole process (a warm-up pair
    discarded); the times of both, `runs` of each."""
    head = status_argv(spec)[:-3]
    ref = "T00005" if "large" in spec.name else "T003"
    times = [
        timed_cli([*head, cmd, ref, "--spec", str(spec)], env, cwd)
        for _ in range(runs + 1)
        for cmd in ("done", "undo")
    ]
    return times[2:]


def peer_command(base: Path) -> tuple[list[str] | None, str]:
    """The peer's command line (spec-view in its own venv under `base`), or None and why not."""
    given = os.environ.get("HOTFIX_TUI_BENCH_PEER")
    if given:
        return ([given], "") if Path(given).exists() else (None, f"{given}: no such file")
    venv = base / "peer-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                       capture_output=True, timeout=300)
        pip = venv / ("Scripts" if os.name == "nt" else "bin") / "pip"
        subprocess.run([str(pip), "install", "-q", PEER], check=True, capture_output=True,
                       timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        err = getattr(exc, "stderr", b"") or b""
        why = err.decode(errors="replace").strip().splitlines()[-1:] or [str(exc)]
        return None, f"cannot install {PEER}: {why[0]}"
    exe = venv / ("Scripts" if os.name == "nt" else "bin") / "spec-view"
    return ([str(exe)], "") if exe.exists() else (None, f"{PEER} installed no spec-view command")


def build_peer_repo(base: Path, real: Path) -> tuple[Path, Path]:
    """A git repo holding only a copy of the 28-task incident (what both tools read)."""
    root = base / "peer-repo"
    folder = root / "specs" / real.name
    shutil.copytree(real, folder)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Bench Mark")
    _git(root, "config", "user.email", "bench@example.com")
    _git(root, "add", "specs")
    _git(root, "commit", "-q", "-m", "the incident")
    return root, folder


def measure_vs_peer(
    spec: Path, peer: list[str], env: dict[str, str], cwd: Path, runs: int
) -> dict[str, list[float]]:
    """`status --json` and the peer's `list`, whole processes, interleaved (a warm-up each)."""
    ours = status_argv(spec)
    theirs = [*peer, "list"]
    for argv in (ours, theirs):
        timed_cli(argv, env, cwd)
    out: dict[str, list[float]] = {"ours": [], "peer": []}
    for _ in range(runs):
        out["ours"].append(timed_cli(ours, env, cwd))
        out["peer"].append(timed_cli(theirs, env, cwd))
    return out


def measure_cli(argv: list[str], env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """Wall time of a whole `hotfix-tui` command (its JSON output checked)."""
    script = Path(sys.executable).parent / "hotfix-tui"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "hotfix_tui.cli"]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([*head, *argv], env=env, cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {r.stderr.decode(errors='replace')}")
        json.loads(r.stdout)
    return times


def layout_json(folder: Path, dest: Path) -> Path:
    """The phases and tasks of an incident, for the floor app."""
    from hotfix_tui.core.markdown.tasks_md import parse_tasks

    doc = parse_tasks((folder / "tasks.md").read_text(encoding="utf-8"))
    by_key = {t.key: t for t in doc.tasks}
    layout = {
        "phases": [
            {
                "name": ph.name,
                "tasks": [
                    {"title": by_key[k].title, "done": by_key[k].done}
                    for k in ph.task_keys
                    if k in by_key
                ],
            }
            for ph in doc.phases
        ]
    }
    dest.write_text(json.dumps(layout), encoding="utf-8")
    return dest


# --- processes ---------------------------------------------------------------------------------


def install_kind() -> str:
    """How the measured command is installed: an editable install's import hook costs every
    process about 9 ms (the peer and users' installs do not pay it): measure `pip install .`."""
    if any(name.startswith("__editable___hotfix_tui") for name in sys.modules):
        return "editable (adds ~9 ms a process: measure a regular `pip install .`)"
    return "regular"


def child_env(config_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for k in ("HOTFIX_TUI_BENCH_READY", "HOTFIX_TUI_BENCH_STAY", "TEXTUAL_DRIVER"):
        env.pop(k, None)
    env["HOTFIX_TUI_CONFIG_DIR"] = str(config_dir)
    env["TERM"] = "xterm-256color"
    env["COLUMNS"], env["LINES"] = str(COLS), str(ROWS)
    pp = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + pp if pp else "")
    return env


def app_argv(spec: Path) -> list[str]:
    script = Path(sys.executable).parent / "hotfix-tui"
    if script.exists():
        return [str(script), "open", str(spec)]
    return [sys.executable, "-m", "hotfix_tui.cli", "open", str(spec)]


def status_argv(spec: Path) -> list[str]:
    script = Path(sys.executable).parent / "hotfix-tui"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "hotfix_tui.cli"]
    return [*head, "status", "--json", str(spec)]


class PtyProcess:
    """A process on a pseudo terminal whose output is drained (and dropped) by a thread."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.t0 = time.time()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.tail = b""
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            if not data:
                break
            self.tail = (self.tail + data)[-4000:]

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.thread.join(2)
        os.close(self.master)


def wait_ready(p: PtyProcess, ready: Path, timeout: float = 60.0) -> float:
    """Seconds from before the spawn to the ready stamp the app wrote."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ready.exists():
            text = ready.read_text(encoding="utf-8").strip()
            if text:
                return float(text) - p.t0
        if p.proc.poll() is not None and not ready.exists():
            raise RuntimeError(
                f"{p.proc.args} exited with {p.proc.returncode} before its first frame; "
                f"output: {p.tail.decode('utf-8', 'replace')[-1500:]}"
            )
        time.sleep(0.002)
    raise RuntimeError(f"{p.proc.args}: no first frame in {timeout} s")


def startup_once(argv: list[str], env: dict[str, str], cwd: Path, tmp: Path) -> float:
    ready = tmp / f"ready-{time.monotonic_ns()}"
    env = dict(env, HOTFIX_TUI_BENCH_READY=str(ready))
    p = PtyProcess(argv, env, cwd)
    try:
        dt = wait_ready(p, ready)
        p.proc.wait(30)
    finally:
        p.stop()
    return dt


def measure_startups(
    cases: dict[str, list[str]], env: dict[str, str], cwd: Path, tmp: Path, runs: int
) -> dict[str, list[float]]:
    """Start-up times per case, one discarded warm-up each, runs interleaved across cases."""
    for argv in cases.values():
        startup_once(argv, env, cwd, tmp)
    out: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            out[name].append(startup_once(argv, env, cwd, tmp))
    return out


def measure_status(spec: Path, env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    argv = status_argv(spec)
    subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise RuntimeError(f"status failed: {r.stderr.decode(errors='replace')}")
        json.loads(r.stdout)
    return times


def _proc_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def _proc_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure_idle(
    spec: Path, env: dict[str, str], cwd: Path, tmp: Path, window: float, keys: bytes = b""
) -> tuple[float, float]:
    """(CPU % over `window` seconds after the first frame plus 1 s settling, VmRSS MiB);
    `keys` are typed first (`?` opens the help dialog over the ticking clock)."""
    ready = tmp / f"ready-idle-{time.monotonic_ns()}"
    env = dict(env, HOTFIX_TUI_BENCH_READY=str(ready), HOTFIX_TUI_BENCH_STAY="1")
    p = PtyProcess(app_argv(spec), env, cwd)
    try:
        wait_ready(p, ready)
        if keys:
            os.write(p.master, keys)
        time.sleep(1.0)
        pid = p.proc.pid
        c0, t0 = _proc_cpu_s(pid), time.monotonic()
        time.sleep(window)
        c1, t1 = _proc_cpu_s(pid), time.monotonic()
        rss = _proc_rss_mib(pid)
        if p.proc.poll() is not None:
            raise RuntimeError("the app exited during the idle window")
    finally:
        p.stop()
    return 100.0 * (c1 - c0) / (t1 - t0), rss


def measure_toggles(spec: Path, env: dict[str, str], cwd: Path, count: int) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--_toggle", str(spec), str(count)]
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"toggle run failed:\n{r.stderr.decode(errors='replace')[-3000:]}")
    return json.loads(r.stdout.decode().strip().splitlines()[-1])


# --- in-process toggles (child) ----------------------------------------------------------------


def toggle_child(spec: Path, count: int, warmup: int = 3) -> dict:
    """Press space on the task under the cursor `count` times; times to tasks.md on disk."""
    import asyncio

    from hotfix_tui.cli import open_incident
    from hotfix_tui.core import store
    from hotfix_tui.core.config.settings import Settings
    from hotfix_tui.tui.app import HotfixApp

    inc = open_incident(str(spec))
    tasks_path = os.path.realpath(spec / "tasks.md")
    stamps: list[tuple[str, float]] = []
    real_write = store.atomic_write

    def spy(path: str | os.PathLike[str], text: str, **kw: object) -> store.Loaded:
        loaded = real_write(path, text, **kw)  # type: ignore[arg-type]
        stamps.append((os.path.realpath(os.fspath(path)), time.perf_counter()))
        return loaded

    store.atomic_write = spy  # update_file looks it up in the module at each call
    # the same row toggled again and again: the cursor stays on it
    stay = Settings(advance_after_check=False)
    app = HotfixApp(inc, root=inc.repo_root, settings=stay, watch=True)
    to_disk: list[float] = []
    all_files: list[float] = []
    handled: list[float] = []

    async def run() -> None:
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause()
            main = app.main
            assert main is not None and main.cursor and main.cursor.startswith("t:"), main
            task = inc.view.doc.task(main.cursor[2:])
            assert task is not None
            offset = len(inc.view.doc.text[: task.check_offset].encode("utf-8"))
            for i in range(warmup + count):
                before = Path(tasks_path).read_bytes()[offset : offset + 1]
                stamps.clear()
                t0 = time.perf_counter()
                await pilot.press("space")
                t1 = time.perf_counter()
                mine = [t for p, t in stamps if p == tasks_path]
                if not mine:
                    raise RuntimeError(f"press {i}: tasks.md was not written")
                after = Path(tasks_path).read_bytes()[offset : offset + 1]
                if after == before or after not in (b"x", b" "):
                    raise RuntimeError(f"press {i}: the checkbox byte is {after!r} on disk")
                if i >= warmup:
                    to_disk.append(mine[0] - t0)
                    all_files.append(stamps[-1][1] - t0)
                    handled.append(t1 - t0)
                await pilot.pause()

    asyncio.run(run())
    return {"to_disk": to_disk, "all_files": all_files, "press_returned": handled}


def measure_day(spec: Path, env: dict[str, str], cwd: Path, ticks: int) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--_day", str(spec), str(ticks)]
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=3600)
    if r.returncode != 0:
        raise RuntimeError(f"day run failed:\n{r.stderr.decode(errors='replace')[-3000:]}")
    return json.loads(r.stdout.decode().strip().splitlines()[-1])


def _rss_now() -> float:
    import gc

    gc.collect()
    return _proc_rss_mib(os.getpid())


def day_child(spec: Path, ticks: int) -> dict:
    """The app headless for `ticks` 1 s ticks of an injected clock; every RELOAD_EVERY ticks a
    task is checked or unchecked from outside (a fresh Incident, as another process would) and
    picked up by the file check. RSS growth in MiB over the day after the warm-up (WARM_TICKS)."""
    import asyncio
    from datetime import timedelta

    from hotfix_tui.cli import open_incident
    from hotfix_tui.core.clocks import utc_now
    from hotfix_tui.core.config.settings import Settings
    from hotfix_tui.tui.app import HotfixApp

    now = [utc_now()]

    def clock():  # noqa: ANN202
        return now[0]

    inc = open_incident(str(spec), clock=clock)
    app = HotfixApp(inc, root=inc.repo_root, settings=Settings(), watch=False, clock=clock)
    marks: list[tuple[int, float]] = []
    reloads = 0

    def outside_change(i: int) -> None:
        other = open_incident(str(spec), clock=clock)
        other.set_done("T005", bool((i // RELOAD_EVERY) % 2))

    async def run() -> None:
        nonlocal reloads
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause()
            # the warm-up pays what a day pays once: every bounded cache filled (record_md keeps
            # 32 parsed texts, a new hotfix.md every second change: 64 changes, so three hours)
            # and the first teammate fetch (its timer runs on real time, a minute in, which
            # would otherwise fall anywhere inside the measured day)
            warm = WARM_TICKS
            app.main.live.poll()
            await app.workers.wait_for_complete()
            await pilot.pause()
            for i in range(1, warm + ticks + 1):
                now[0] += timedelta(seconds=1)
                app.tick()
                if i % RELOAD_EVERY == 0:
                    outside_change(i)
                    app.main.poll_files()  # what the file watcher's message does
                    reloads += 1
                if i % 30 == 0:
                    await pilot.pause()
                if i == warm:
                    await pilot.pause()
                    marks.append((i, _rss_now()))
                elif i % 21_600 == 0:
                    marks.append((i, _rss_now()))
            await pilot.pause()
            marks.append((warm + ticks, _rss_now()))

    asyncio.run(run())
    return {"growth_mib": marks[-1][1] - marks[0][1], "marks": marks, "reloads": reloads}


# --- report ------------------------------------------------------------------------------------


def measure_web_update(spec: Path, env: dict[str, str], cwd: Path, runs: int) -> list[float]:
    """Seconds from a CLI change written to disk to the web board's event carrying it."""
    import http.client
    import queue

    head = status_argv(spec)[:-3]
    server = subprocess.Popen(
        [*head, "serve", "--port", "0", str(spec)],
        env={**env, "PYTHONUNBUFFERED": "1"},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    boards: queue.Queue[tuple[float, dict]] = queue.Queue()
    try:
        assert server.stdout is not None
        url = next(ln for ln in server.stdout if ln.startswith("Live board: "))[12:].strip()
        port = int(url.rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(
            "GET",
            "/api/stream/"
            + json.loads(
                subprocess.run(
                    [*head, "status", "--json", str(spec)],
                    env=env,
                    cwd=cwd,
                    capture_output=True,
                    check=True,
                ).stdout
            )["id"],
        )
        resp = conn.getresponse()

        def read() -> None:
            event = ""
            for raw in resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "board":
                    boards.put((time.time(), json.loads(line[6:])))

        threading.Thread(target=read, daemon=True).start()

        def t001(board: dict) -> str:
            return next(t["state"] for t in board["phases"][0]["tasks"] if t["id"] == "T001")

        state = t001(boards.get(timeout=60)[1])
        times = []
        for _ in range(runs):
            want = "open" if state == "done" else "done"
            verb = "undo" if state == "done" else "done"
            subprocess.run(
                [*head, verb, "T001", "--spec", str(spec)],
                env=env,
                cwd=cwd,
                check=True,
                capture_output=True,
            )
            written = (spec / "tasks.md").stat().st_mtime_ns / 1e9
            while True:
                arrived, board = boards.get(timeout=60)
                if t001(board) == want:
                    times.append(max(0.0, arrived - written))
                    break
            state = want
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure_web_list(team: Path, env: dict[str, str], runs: int) -> list[float]:
    """Seconds for the web board to read every branch again and list its incidents once a
    branch moved (a child process; the summaries as `list` left them)."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--_weblist", str(team), str(runs)],
        env=env,
        cwd=team,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)["times"]


def weblist_child(team: Path, runs: int) -> dict:
    from hotfix_tui.web.data import Board

    board = Board(team)
    first = len(board.list_json())  # the board's first reading, as `serve` starts
    times = []
    for i in range(runs):
        _git(team, "branch", "-f", f"bench-moved-{i}", "main")  # a branch appears: refs moved
        t0 = time.perf_counter()
        if not board.refs_changed():
            raise RuntimeError("the board did not see the refs move")
        board.reload_catalog()
        rows = board.list_json()
        times.append(time.perf_counter() - t0)
        if len(rows) != first:
            raise RuntimeError(f"{len(rows)} incidents listed, {first} before")
    return {"times": times}


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p99(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(0.99 * len(s) + 0.5)) - 1))]


def verdict(key: str, value: float, res: dict) -> tuple[str, str]:
    if key in RATIOS:
        ref, factor = RATIOS[key]
        if ref not in res:
            return f"<= {factor:g} x {ref} (not measured)", ""
        limit = factor * res[ref]
        ratio = value / res[ref] if res[ref] else float("inf")
        return (
            f"<= {factor:g} x {ref} ({ratio:.2f} x)",
            "PASS" if value <= limit else "MISS",
        )
    limit, unit = TARGETS[key]
    if limit is None:
        return "(reference)", ""
    return f"<= {limit:g} {unit}", "PASS" if value <= limit else "MISS"


def print_table(res: dict) -> None:
    print(f"{'figure':<28} {'value':>12}  {'target':<42} result")
    print("-" * 92)
    for k in KEYS:
        if k not in res:
            continue
        v = res[k]
        unit = TARGETS[k][1]
        shown = f"{v * 1000:.1f} ms" if unit == "s" else f"{v:.2f} {unit}"
        target, ok = verdict(k, v, res)
        print(f"{k:<28} {shown:>12}  {target:<42} {ok}")
    ex = res.get("extra", {})
    if ex:
        print()
        for k, v in ex.items():
            print(f"  {k}: {v}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--quick", action="store_true", help="1-2 runs each, 3 s idle window (CI)")
    ap.add_argument(
        "--only",
        metavar="PARTS",
        help="measure only these parts, comma-separated: " + ", ".join(PARTS),
    )
    ap.add_argument("--_toggle", nargs=2, metavar=("SPEC", "N"), help=argparse.SUPPRESS)
    ap.add_argument("--_day", nargs=2, metavar=("SPEC", "TICKS"), help=argparse.SUPPRESS)
    ap.add_argument("--_weblist", nargs=2, metavar=("TEAM", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._weblist:
        team, n = args._weblist
        print(json.dumps(weblist_child(Path(team), int(n))))
        return 0
    if args._day:
        spec, n = args._day
        print(json.dumps(day_child(Path(spec), int(n))))
        return 0
    if args._toggle:
        spec, n = args._toggle
        print(json.dumps(toggle_child(Path(spec), int(n))))
        return 0

    quick = args.quick
    only = set(args.only.split(",")) if args.only else set(PARTS) - ({"peer"} if quick else set())
    if only - set(PARTS):
        ap.error(f"--only: unknown part(s) {', '.join(sorted(only - set(PARTS)))}")

    def want(part: str) -> bool:
        return part in only

    nothing: dict = {}
    st = lg = tg = t1k = t10k = day = lg100k = peer = nothing
    peer_note = ""
    status = web = lists = stats = s10k = s100k = s_events = notes = n100k = []
    dones = d100k = weblists = []
    cpu = rss = cpu_dialog = s100k_rss = None
    huge_tasks = 0
    runs = 2 if quick else 11  # start-ups: the ratio to the floor is the noisiest figure
    large_runs = 1 if quick else 5
    status_runs = 2 if quick else 15
    toggles = 10 if quick else 50
    large_toggles = 5 if quick else 30
    idle_window = 3.0 if quick else 30.0
    cli_runs = 1 if quick else 3

    def say(msg: str) -> None:
        if not args.json:
            print(msg, file=sys.stderr, flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="hotfix-bench-"))
    try:
        say(f"fixtures in {tmp}")
        fx = build_fixtures(tmp)
        cfg = tmp / "config"
        cfg.mkdir()
        env = child_env(cfg)
        root = tmp / "repo"
        floor = [
            sys.executable,
            str(HERE / "floor_app.py"),
            str(layout_json(fx["incident"], tmp / "layout.json")),
        ]
        if want("startup"):
            say("start-up: hotfix-tui open vs the bare Textual floor ...")
            st = measure_startups(
                {"app": app_argv(fx["incident"]), "floor": floor}, env, root, tmp, runs
            )
            say("large files: open ...")
            lg = measure_startups(
                {"1000": app_argv(fx["large_1000"]), "10000": app_argv(fx["large_10000"])},
                env,
                root,
                tmp,
                large_runs,
            )
        if want("status"):
            say("status --json ...")
            status = measure_status(fx["incident"], env, root, status_runs)
        if want("toggles"):
            say("toggles (in-process, headless) ...")
            tg = measure_toggles(fx["incident"], env, root, toggles)
            t1k = measure_toggles(fx["large_1000"], env, root, large_toggles)
            t10k = measure_toggles(fx["large_10000"], env, root, large_toggles)
        if want("idle"):
            say(f"idle CPU over {idle_window:g} s ...")
            cpu, rss = measure_idle(fx["incident"], env, root, tmp, idle_window)
        if want("web"):
            say("web board: CLI change to event ...")
            web = measure_web_update(fx["incident"], env, root, 3 if quick else 10)
        if want("catalog"):
            say("list and stats over 1 000 incidents on other branches ...")
            team = build_team_repo(tmp, fx["incident"])
            (cfg / "config.yaml").write_text("fetch_interval: 0\n", encoding="utf-8")
            lists = measure_cli(["list", "--json"], env, team, cli_runs + 1)
            stats = measure_cli(["stats", "--json"], env, team, cli_runs + 1)
            weblists = measure_web_list(team, env, cli_runs)
        huge_tasks = 20_000 if quick else 100_000  # the smoke run checks keys, not targets
        if want("scale") or want("open100k"):
            huge = build_huge(tmp, fx["incident"], tasks=huge_tasks)
        if want("scale"):
            say("status and note at 10 000 and 100 000 tasks, a 10 000-event log ...")
            long_log = build_long_log(tmp, fx["incident"])
            s10k = measure_status(fx["large_10000"], env, root, large_runs + 2)
            s100k, s100k_rss = measure_status_rss(huge, env, root, large_runs)
            s_events = measure_status(long_log, env, root, large_runs + 2)
            notes = measure_note(fx["incident"], env, root, large_runs + 2)
            n100k = measure_note(huge, env, root, large_runs)
            dones = measure_done(fx["incident"], env, root, large_runs + 2)
            d100k = measure_done(huge, env, root, large_runs)
        if want("open100k"):
            say("large files: open 100 000 tasks ...")
            lg100k = measure_startups({"100000": app_argv(huge)}, env, root, tmp, large_runs)
        if want("dialog"):
            say(f"idle CPU with a dialog open over {idle_window:g} s ...")
            cpu_dialog, _ = measure_idle(fx["incident"], env, root, tmp, idle_window, keys=b"?")
        if want("peer"):
            say(f"status --json against {PEER} list ...")
            command, peer_note = peer_command(tmp)
            if command is None:
                say(f"status_vs_peer skipped: {peer_note}")
            else:
                peer_root, peer_spec = build_peer_repo(tmp, fx["incident"])
                peer = measure_vs_peer(peer_spec, command, env, peer_root, status_runs)
        day_ticks = DAY_TICKS // 12 if quick else DAY_TICKS
        if want("day"):
            say(f"a simulated day: {day_ticks} clock ticks, a reload every 2 minutes ...")
            day = measure_day(fx["incident"], env, root, day_ticks)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def opt(value: Callable[[], object]) -> object:
        """A figure, or None when its part was not measured (`--only`)."""
        try:
            return value()
        except (KeyError, IndexError, ZeroDivisionError, statistics.StatisticsError):
            return None

    res: dict = {
        "startup_s": opt(lambda: median(st["app"])),
        "floor_startup_s": opt(lambda: median(st["floor"])),
        "status_s": opt(lambda: median(status)),
        "toggle_to_disk_s": opt(lambda: median(tg["to_disk"])),
        "toggle_to_disk_p99_s": opt(lambda: p99(tg["to_disk"])),
        "large_1000_open_s": opt(lambda: median(lg["1000"])),
        "large_1000_toggle_s": opt(lambda: median(t1k["to_disk"])),
        "large_10000_open_s": opt(lambda: median(lg["10000"])),
        "large_10000_toggle_s": opt(lambda: median(t10k["to_disk"])),
        "idle_cpu_percent": opt(lambda: cpu),
        "idle_cpu_dialog_percent": opt(lambda: cpu_dialog),
        "rss_mib": opt(lambda: rss),
        "web_update_s": opt(lambda: median(web)),
        "list_1000_s": opt(lambda: median(lists)),
        "stats_1000_s": opt(lambda: median(stats)),
        "status_10000_s": opt(lambda: median(s10k)),
        "status_100000_s": opt(lambda: median(s100k)),
        "status_100000_rss_mib": opt(lambda: s100k_rss),
        "note_s": opt(lambda: median(notes)),
        "note_100000_s": opt(lambda: median(n100k)),
        "done_s": opt(lambda: median(dones)),
        "done_100000_s": opt(lambda: median(d100k)),
        "large_100000_open_s": opt(lambda: median(lg100k["100000"])),
        # the first run of a fresh repository is cold; the ones after it find what it cached
        "list_1000_incidents_s": opt(lambda: median(lists[1:])),
        "list_1000_incidents_cold_s": opt(lambda: lists[0]),
        "stats_1000_incidents_s": opt(lambda: median(stats[1:])),
        "web_list_1000_incidents_s": opt(lambda: median(weblists)),
        "status_10000_events_s": opt(lambda: median(s_events)),
        "rss_growth_24h_mib": opt(lambda: max(0.0, day["growth_mib"])),
        "status_vs_peer": opt(lambda: median(peer["ours"]) / median(peer["peer"])),
    }
    ms = lambda xs: [round(x * 1000, 1) for x in xs] or None  # noqa: E731
    res = {k: v for k, v in res.items() if v is not None}
    res["extra"] = {
        "mode": "quick" if quick else "full",
        "runs": {
            "startup": runs,
            "large_open": large_runs,
            "status": status_runs,
            "toggles": toggles,
            "large_toggles": large_toggles,
            "idle_window_s": idle_window,
        },
        "startup_ms": opt(lambda: ms(st["app"])),
        "floor_startup_ms": opt(lambda: ms(st["floor"])),
        "startup_ratio": opt(lambda: round(res["startup_s"] / res["floor_startup_s"], 3)),
        "large_1000_open_ms": opt(lambda: ms(lg["1000"])),
        "large_10000_open_ms": opt(lambda: ms(lg["10000"])),
        "status_ms": opt(lambda: ms(status)),
        "web_update_ms": opt(lambda: ms(web)),
        "toggle_all_files_s": opt(lambda: median(tg["all_files"])),
        "toggle_press_returned_s": opt(lambda: median(tg["press_returned"])),
        "large_1000_toggle_p99_s": opt(lambda: p99(t1k["to_disk"])),
        "large_10000_toggle_p99_s": opt(lambda: p99(t10k["to_disk"])),
        "large_10000_toggle_press_returned_s": opt(lambda: median(t10k["press_returned"])),
        "list_1000_ms": opt(lambda: ms(lists)),
        "stats_1000_ms": opt(lambda: ms(stats)),
        "web_list_1000_ms": opt(lambda: ms(weblists)),
        "status_10000_ms": opt(lambda: ms(s10k)),
        "status_100000_ms": opt(lambda: ms(s100k)),
        "status_10000_events_ms": opt(lambda: ms(s_events)),
        "note_ms": opt(lambda: ms(notes)),
        "note_100000_ms": opt(lambda: ms(n100k)),
        "done_ms": opt(lambda: ms(dones)),
        "done_100000_ms": opt(lambda: ms(d100k)),
        "large_100000_open_ms": opt(lambda: ms(lg100k["100000"])),
        "status_vs_peer_ms": opt(lambda: {k: ms(v) for k, v in peer.items()} or None),
        "status_vs_peer_skipped": peer_note or None,
        "status_100000_tasks": huge_tasks if want("scale") or want("open100k") else None,
        "day": opt(
            lambda: {
                "ticks": day_ticks,
                "reloads": day["reloads"],
                "rss_mib_marks": [[t, round(m, 2)] for t, m in day["marks"]],
            }
        ),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "install": install_kind(),
    }
    res["extra"] = {k: v for k, v in res["extra"].items() if v is not None}
    res["pass"] = {k: verdict(k, res[k], res)[1] != "MISS" for k in KEYS if k in res}
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print_table(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
