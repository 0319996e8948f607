"""`hotfix-tui serve`: the read-only live web board for people outside the terminal.

aiohttp is imported only when the command runs, so other commands start as fast as before.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable
from pathlib import Path

from .cli_output import safe
from .core.errors import EXIT_INPUT, EXIT_NOT_FOUND, EXIT_OK
from .core.errors import UserError as CliError
from .core.opening import repo_root, resolve_folder


def args_serve(sp: argparse.ArgumentParser, spec_opt: Callable[..., None]) -> None:
    """The arguments of `serve` (SPEC_DIR is positional here, so `spec_opt` is not used)."""
    sp.add_argument("spec", nargs="?", metavar="SPEC_DIR", help="show this incident first")
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8600, help="port (default: 8600; 0: any free)")
    sp.add_argument(
        "--token",
        help="token viewers need, at least 22 characters (off the loopback: a generated one, "
        "kept per repository across restarts, if omitted)",
    )
    sp.add_argument(
        "--new-token", action="store_true", help="replace the kept generated token by a new one"
    )
    sp.add_argument(
        "--public-url",
        metavar="URL",
        help="the address viewers open when a proxy is in front (printed with the token)",
    )
    sp.add_argument("--tls-cert", type=Path, metavar="FILE", help="serve HTTPS with this cert")
    sp.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's private key")
    sp.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .web.app import check_token
        from .web.data import Board
        from .web.server import Options, board_urls, effective_token, start_site
    except ImportError as exc:  # aiohttp is a dependency; a broken install says so plainly
        raise CliError(f"the web board needs aiohttp ({exc}); pip install aiohttp") from exc

    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("--tls-cert and --tls-key go together; give both", EXIT_INPUT)
    for p in (args.tls_cert, args.tls_key):
        if p is not None and not p.is_file():
            raise CliError(f"{p}: no such file", EXIT_INPUT)
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port {args.port}: use 0 to 65535", EXIT_INPUT)
    if args.token is not None:
        try:
            check_token(args.token)
        except ValueError as exc:
            raise CliError(f"--token: {exc}", EXIT_INPUT) from exc
    if args.token is not None and args.new_token:
        raise CliError("--token and --new-token exclude each other; give one", EXIT_INPUT)
    public = args.public_url
    if public is not None and not re.fullmatch(r"https?://[^\s/?#]+/?", public):
        raise CliError(
            f"--public-url {public!r}: give the address viewers open, e.g. "
            "https://board.example.com/ (the board is served at the root of its address)",
            EXIT_INPUT,
        )
    spec = resolve_folder(args.spec, repo_root()) if args.spec else None
    root = repo_root(spec) if spec else repo_root()
    if root is None and spec is None:
        raise CliError(
            "not inside a git repository: run this in your repo, or name an incident folder",
            EXIT_NOT_FOUND,
        )
    from .core.config.settings import load_settings

    board = Board(root, spec, fetch_interval=load_settings().fetch_interval)
    opts = Options(
        args.host,
        args.port,
        args.token,
        args.tls_cert,
        args.tls_key,
        new_token=args.new_token,
        public_url=public,
    )
    token = effective_token(opts, root)
    tls = args.tls_cert is not None
    from .web.app import is_loopback

    if not is_loopback(args.host) and not tls and not public:
        print(
            "warning: serving off the loopback without TLS: the token and the incident travel "
            "in clear; give --tls-cert/--tls-key or put the board behind your HTTPS proxy",
            file=sys.stderr,
        )
    if not board.entries():
        print(f"note: no incident in {root}/specs yet; the board shows them as they appear")
    return asyncio.run(_serve(board, opts, token, tls, board_urls, start_site))


async def _serve(board, opts, token, tls, board_urls, start_site) -> int:
    try:
        runner, port = await start_site(board, opts, token)
    except OSError as exc:
        raise CliError(f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}") from exc
    except Exception as exc:  # e.g. ssl.SSLError from a bad certificate or key
        raise CliError(f"cannot start the board: {exc}", EXIT_INPUT) from exc
    for url in board_urls(opts.host, port, token, tls, opts.public_url):
        print(safe(f"Live board: {url}"), flush=True)
    print("Read-only; Ctrl+C stops it.", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
    return EXIT_OK
