"""`hotfix-tui serve` as a real process: address printed, token off the loopback, TLS, bad input."""

from __future__ import annotations

import json
import os
import re
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

WAIT_S = 30


def serve(root: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """Start `hotfix-tui serve --port 0 ARGS` and return it with the address it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotfix_tui.cli", "serve", "--port", "0", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Live board: "):
            return proc, line.split(": ", 1)[1].strip()
    proc.kill()
    raise AssertionError(f"no address printed: {proc.stderr.read() if proc.stderr else ''}")


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=WAIT_S)
    return err


def get(url: str, **kw) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=WAIT_S, **kw) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_prints_its_loopback_address_and_stops_on_ctrl_c(incident_repo):
    root, _ = incident_repo
    proc, url = serve(root)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        status, body = get(url + "api/incidents")
        assert status == 200
        assert json.loads(body)[0]["key"] == "hotfix-001"
    finally:
        err = stop(proc)
    assert proc.returncode == 130
    assert "Traceback" not in err


def test_off_loopback_a_token_is_generated_and_the_clear_text_is_warned(incident_repo):
    root, _ = incident_repo
    proc, url = serve(root, "--host", "0.0.0.0")
    try:
        m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]{20,})", url)
        assert m, url
        port = m.group(1)
        assert get(f"http://127.0.0.1:{port}/api/incidents")[0] == 401
        assert get(f"http://127.0.0.1:{port}/api/incidents?token={m.group(2)}")[0] == 200
    finally:
        err = stop(proc)
    assert "without TLS" in err and "in clear" in err


def test_tls_serves_https(incident_repo, tmp_path):
    root, _ = incident_repo
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("openssl cannot make a test certificate here")
    proc, url = serve(root, "--token", "t0ken", "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert url.startswith("https://127.0.0.1:") and url.endswith("/?token=t0ken")
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        base = url.split("?")[0]
        status, body = get(base + "api/incidents?token=t0ken", context=ctx)
        assert status == 200 and json.loads(body)[0]["key"] == "hotfix-001"
        with pytest.raises((urllib.error.URLError, ConnectionError)):  # plain HTTP is refused
            urllib.request.urlopen(base.replace("https", "http") + "api/incidents", timeout=5)
    finally:
        err = stop(proc)
    assert "in clear" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tls-cert", "nope.pem"], "--tls-cert and --tls-key go together"),
        (["--tls-cert", "a.pem", "--tls-key", "b.pem"], "a.pem: no such file"),
        (["--port", "70000"], "--port 70000"),
    ],
)
def test_bad_options_are_a_clear_message(incident_repo, capsys, args, message):
    from gitfix import run

    root, _ = incident_repo
    cwd = Path.cwd()
    os.chdir(root)
    try:
        code, _out, err = run(capsys, "serve", *args)
    finally:
        os.chdir(cwd)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_outside_a_repository_says_what_to_do(tmp_path, capsys):
    from gitfix import run

    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, _out, err = run(capsys, "serve")
    finally:
        os.chdir(cwd)
    assert code == 3
    assert "not inside a git repository" in err
