"""gunicorn settings for `make run` (`gunicorn -c gunicorn.conf.py wsgi:app`), from the environment.

HOST (default 127.0.0.1) and PORT (8000) are where it listens. WORKERS defaults to
one gevent worker without REDIS_URL and two with it: the live games' in-process
event broker reaches only the streams of its own worker, so several workers need
Redis, and a start that combines them without it refuses before it serves.
With HOST=0.0.0.0 and no PUBLIC_URL, the console prints this machine's network
addresses for the class, and the first one becomes PUBLIC_URL (join link, QR code).

Only the standard library and psutil here: the master must not import the app
before the gevent workers patch the standard library.
"""

import ipaddress
import os
import sys

HOST = os.environ.get("HOST", "").strip() or "127.0.0.1"
PORT = os.environ.get("PORT", "").strip() or "8000"
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
WILDCARDS = ("0.0.0.0", "::")
# Interfaces of containers and virtual machines on this computer: no phone reaches them.
VIRTUAL_PREFIXES = ("lo", "docker", "br-", "veth", "virbr", "vmnet", "vboxnet")


def worker_count(raw: str, redis_url: str) -> int | None:
    """Return the number of workers WORKERS asks for (default 1, or 2 with Redis); None if bad."""
    raw = raw.strip()
    if not raw:
        return 2 if redis_url else 1
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def refusal(workers: int | None, redis_url: str, raw: str = "") -> str | None:
    """Return why this start would fail the class (None when it is fine)."""
    if workers is None:
        return f"WORKERS={raw!r} is not a whole number above 0. Set WORKERS=1, or leave it unset."
    if workers > 1 and not redis_url:
        return (
            f"{workers} workers without REDIS_URL would lose live-game events: each worker's "
            "in-process broker reaches only its own players' streams, and each worker would "
            "count rate limits on its own.\n"
            "Set REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0) to run several workers, "
            "or WORKERS=1 (one gevent worker holds 500 players and more)."
        )
    return None


def network_addresses() -> list[tuple[str, str]]:
    """Return (interface, IPv4 address) of this machine that phones on the network may reach.

    Read from the interface table (psutil): nothing is sent anywhere.
    """
    import psutil

    stats = psutil.net_if_stats()
    found = []
    for name, addresses in psutil.net_if_addrs().items():
        if name.startswith(VIRTUAL_PREFIXES) or (name in stats and not stats[name].isup):
            continue
        for address in addresses:
            if address.family.name != "AF_INET":
                continue
            ip = ipaddress.ip_address(address.address)
            if not (ip.is_loopback or ip.is_link_local):
                found.append((name, address.address))
    return found


def _url(host: str, port: str) -> str:
    """Return http://host:port (IPv6 addresses in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


bind = [f"[{HOST}]:{PORT}" if ":" in HOST else f"{HOST}:{PORT}"]
workers = worker_count(os.environ.get("WORKERS", ""), REDIS_URL) or 1
worker_class = "gevent"
# Each open event stream of a live game holds one connection.
worker_connections = 5000
# Off unless asked for (ACCESS_LOG=- prints to the console): a class's phones would flood the
# teacher's console, and formatting the line costs about 5 % of a live game's server CPU.
accesslog = os.environ.get("ACCESS_LOG") or None
timeout = 60
graceful_timeout = 5
# No control socket: its one default path would be shared by every server of this user.
control_socket_disable = True


def on_starting(server) -> None:
    """Refuse a start that would lose events; derive PUBLIC_URL for a server on the network."""
    raw = os.environ.get("WORKERS", "")
    problem = refusal(worker_count(raw, REDIS_URL), REDIS_URL, raw)
    if problem is None:
        problem = refusal(server.cfg.workers, REDIS_URL)  # e.g. `-w 3` on the command line
    if problem is not None:
        # gunicorn prints a RuntimeError as "Error: …" and exits with status 1.
        raise RuntimeError(f"quizapp does not start.\n{problem}")
    if HOST in WILDCARDS and not os.environ.get("PUBLIC_URL", "").strip():
        addresses = network_addresses()
        if addresses:
            # The workers, forked later, read it: the join link and the QR code use it.
            os.environ["PUBLIC_URL"] = _url(addresses[0][1], PORT)
        server.quizapp_addresses = addresses


def when_ready(server) -> None:
    """Say where the app is reachable, once gunicorn listens."""
    bar = "=" * 72
    lines = [bar]
    public = os.environ.get("PUBLIC_URL", "").strip()
    if HOST in WILDCARDS:
        addresses = getattr(server, "quizapp_addresses", [])
        lines.append(f"quizapp serves on every network of this computer, port {PORT}.")
        lines.append(f"On this computer: {_url('127.0.0.1', PORT)}")
        if addresses:
            lines.append("Phones in the class open (the QR code and join link use the first):")
            lines += [f"    {_url(ip, PORT)}    ({name})" for name, ip in addresses]
        else:
            lines.append("No network address found: set PUBLIC_URL to the address phones use.")
        if public and not addresses:
            lines.append(f"Join link and QR code: {public}")
        elif public and public != _url(addresses[0][1], PORT):
            lines.append(f"Join link and QR code use PUBLIC_URL: {public}")
    else:
        lines.append(f"quizapp on {_url(HOST, PORT)}")
        if public:
            lines.append(f"Join link and QR code use PUBLIC_URL: {public}")
        if HOST in ("127.0.0.1", "localhost", "::1"):
            lines.append("Only this computer can reach it: HOST=0.0.0.0 serves the class.")
    broker = "Redis (REDIS_URL)" if REDIS_URL else "in-process"
    lines.append(f"{server.cfg.workers} gevent worker(s), live-game events: {broker}.")
    lines.append(bar)
    print("\n".join(lines), file=sys.stdout, flush=True)
