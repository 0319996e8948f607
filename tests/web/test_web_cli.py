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
from gitfix import make_repo

WAIT_S = 30
TOKEN = "t0ken-of-at-least-128-bits"


def serve(root: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """Start `hotfix-tui serve --port 0 ARGS` and return it with the (first) address it printed."""
    proc, urls = serve_all(root, *args)
    return proc, urls[0]


def serve_all(root: Path, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start `hotfix-tui serve --port 0 ARGS` and return it with every address it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotfix_tui.cli", "serve", "--port", "0", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert proc.stdout is not None
    urls = []
    for line in proc.stdout:
        if line.startswith("Live board: "):
            urls.append(line.split(": ", 1)[1].strip())
        elif line.startswith("Read-only") and urls:
            return proc, urls
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


def own_addresses() -> list[str]:
    """This machine's IPv4 addresses other than the loopback (from the kernel's table)."""
    lines = Path("/proc/net/fib_trie").read_text().splitlines()
    found = {a.split()[-1] for a, b in zip(lines, lines[1:], strict=False) if "/32 host LOCAL" in b}
    return sorted(a for a in found if not a.startswith("127."))


def test_off_loopback_the_addresses_printed_are_ones_teammates_can_open(incident_repo):
    root, _ = incident_repo
    proc, urls = serve_all(root, "--host", "0.0.0.0")
    try:
        tokens = set()
        hosts = set()
        for url in urls:
            m = re.fullmatch(r"http://([\d.]+):(\d+)/\?token=([\w-]{22,})", url)
            assert m, url
            hosts.add(m.group(1))
            tokens.add(m.group(3))
            base = f"http://{m.group(1)}:{m.group(2)}/"
            assert get(base + "api/incidents")[0] == 401
            assert get(base + f"api/incidents?token={m.group(3)}")[0] == 200
        assert len(tokens) == 1
        if Path("/proc/net/fib_trie").exists() and own_addresses():
            assert sorted(hosts) == own_addresses()  # every one of them, no loopback
    finally:
        err = stop(proc)
    assert "without TLS" in err and "in clear" in err


def token_of(url: str) -> str:
    return url.split("?token=", 1)[1]


def test_the_generated_token_is_kept_across_restarts_until_new_token(incident_repo, tmp_path):
    root, _ = incident_repo
    first = [serve(root, "--host", "0.0.0.0")]
    stop(first[0][0])
    again = serve(root, "--host", "0.0.0.0")
    stop(again[0])
    assert token_of(again[1]) == token_of(first[0][1])  # the links teammates hold still work
    renewed = serve(root, "--host", "0.0.0.0", "--new-token")
    stop(renewed[0])
    assert token_of(renewed[1]) != token_of(first[0][1])
    after = serve(root, "--host", "0.0.0.0")
    stop(after[0])
    assert token_of(after[1]) == token_of(renewed[1])
    other = make_repo(tmp_path / "other")  # another repository has its own token
    proc, url = serve(other, "--host", "0.0.0.0")
    stop(proc)
    assert token_of(url) != token_of(renewed[1])


def test_behind_a_proxy_the_public_url_is_printed_with_the_token(incident_repo):
    root, _ = incident_repo
    proc, urls = serve_all(root, "--public-url", "https://board.example.com")
    try:
        assert len(urls) == 1
        m = re.fullmatch(r"https://board\.example\.com/\?token=([\w-]{22,})", urls[0])
        assert m, urls
    finally:
        err = stop(proc)
    assert "in clear" not in err


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
    proc, url = serve(root, "--token", TOKEN, "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert url.startswith("https://127.0.0.1:") and url.endswith(f"/?token={TOKEN}")
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        base = url.split("?")[0]
        status, body = get(base + f"api/incidents?token={TOKEN}", context=ctx)
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
        (["--public-url", "board.example.com"], "give the address viewers open"),
        (["--public-url", "https://board.example.com/hotfix/"], "at the root of its address"),
        (["--token", "t0ken-of-at-least-128-bits", "--new-token"], "exclude each other"),
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
