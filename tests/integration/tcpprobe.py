#!/usr/bin/env python3
"""tcpprobe - a tiny TCP server and client for the namespace tests.

Run inside lab nodes, e.g.

    natlab exec LAB srv -- python3 tcpprobe.py server --port 80 --close server
    natlab exec LAB c1  -- python3 tcpprobe.py client --host 198.51.100.2 \\
        --port 80 --count 3 --interval 0.2 --close server

Who closes first (--close, the same on both sides):

  server  the server reads the request, sends the reply and closes at once;
          the client reads until the server's FIN, then closes.  The server
          is the active closer (it goes through TIME_WAIT).
  client  the server sends the reply and waits for the client's FIN before
          it closes; the client reads the reply, shuts its side down first
          and waits for the server's FIN.  The client is the active closer.
  rst     the side that would close sends an RST instead (SO_LINGER {1, 0}):
          the server resets after its reply.  A client started with
          --close rst resets after it got the reply.
  now     (client) the client closes as soon as it has the reply (or
          --hold seconds later), without waiting for the server's FIN: with
          a server that closes first and a FIN held on its way, the two
          FINs cross (a simultaneous close).
  shutdown (server) the server sends the reply and shuts its side down
          (its FIN), but keeps the socket until the client's FIN: it is
          not orphaned, unlike --close server, which closes it at once.

A client's --hold SECONDS keeps its socket open that long after the
exchange before it closes: with --close server after the server's FIN
(so the client has acked that FIN but sends none of its own), with
--close now after the reply.

"synflood" sends --count SYNs from a raw socket, from ports --sport up,
and nothing after them: with the SYN-ACKs kept from the sender's stack
(which would answer them with a RST), each leaves a request socket in the
server's SYN queue.

The client prints one line per connection attempt,

    ok LATENCY_MS
    fail REASON LATENCY_MS

(LATENCY_MS: the time connect() took, in milliseconds, with three
decimals; REASON one of timeout, refused, reset, unreachable, noreply,
error-ERRNO), and at the end "ok=N fail=N".  Its exit status is 0 when
every attempt succeeded, 1 otherwise, 2 on bad usage.

The server prints "listening PORT" once it listens and one line per
connection, "conn ADDR PORT ok|fail REASON"; it exits after --count
connections (0: never) or when it gets SIGTERM/SIGINT.  Every socket
operation has a time limit, so neither side can hang.
"""

import argparse
import errno
import os
import signal
import socket
import struct
import sys
import time

REQUEST = b"hello\n"
REPLY = b"bye\n"


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def linger0(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))


def recv_until(sock, want, deadline):
    """Read until `want` bytes arrived or EOF; return what was read."""
    got = b""
    while len(got) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        sock.settimeout(left)
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += chunk
    return got


def wait_eof(sock, deadline):
    """Read and discard until EOF."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        sock.settimeout(left)
        if not sock.recv(4096):
            return


def reason_of(exc):
    if isinstance(exc, socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError,
                        BrokenPipeError)):
        return "reset"
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno == errno.ETIMEDOUT:
            return "timeout"
        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "unreachable"
        return "error-%s" % errno.errorcode.get(exc.errno, exc.errno)
    return "error-" + type(exc).__name__


# ---- server ----

def serve_one(conn, mode, timeout):
    deadline = time.monotonic() + timeout
    if mode == "server":
        recv_until(conn, len(REQUEST), deadline)
        conn.sendall(REPLY)
        conn.close()
    elif mode == "shutdown":
        recv_until(conn, len(REQUEST), deadline)
        conn.sendall(REPLY)
        conn.shutdown(socket.SHUT_WR)
        wait_eof(conn, deadline)
        conn.close()
    elif mode == "client":
        recv_until(conn, len(REQUEST), deadline)
        conn.sendall(REPLY)
        wait_eof(conn, deadline)
        conn.close()
    else:  # rst
        recv_until(conn, len(REQUEST), deadline)
        conn.sendall(REPLY)
        linger0(conn)
        conn.close()


def server(args):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.bind, args.port))
    ls.listen(args.backlog)
    out("listening %d" % args.port)
    served = 0
    while args.count == 0 or served < args.count:
        try:
            conn, peer = ls.accept()
        except InterruptedError:
            continue
        served += 1
        try:
            serve_one(conn, args.close, args.timeout)
            out("conn %s %d ok" % peer)
        except Exception as exc:  # report, keep serving
            out("conn %s %d fail %s" % (peer[0], peer[1], reason_of(exc)))
        finally:
            conn.close()
    ls.close()
    return 0


# ---- client ----

def client_one(args):
    """One connection; return (reason or None, connect latency in ms)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    latency = 0.0
    try:
        deadline = time.monotonic() + args.timeout
        s.settimeout(args.timeout)
        t0 = time.monotonic()
        try:
            s.connect((args.host, args.port))
        finally:
            latency = (time.monotonic() - t0) * 1000.0
        s.sendall(REQUEST)
        got = recv_until(s, len(REPLY), deadline)
        if got != REPLY:
            return "noreply", latency
        if args.close == "server":
            try:
                wait_eof(s, deadline)
            except ConnectionResetError:
                pass  # a server that resets after its reply
            if args.hold > 0:
                time.sleep(args.hold)
        elif args.close == "now":
            if args.hold > 0:
                time.sleep(args.hold)
        elif args.close == "client":
            s.shutdown(socket.SHUT_WR)
            wait_eof(s, deadline)
        else:  # rst
            linger0(s)
        return None, latency
    except Exception as exc:
        return reason_of(exc), latency
    finally:
        s.close()


def client(args):
    ok = fail = 0
    for i in range(args.count):
        if i and args.interval > 0:
            time.sleep(args.interval)
        why, latency = client_one(args)
        if why is None:
            ok += 1
            out("ok %.3f" % latency)
        else:
            fail += 1
            out("fail %s %.3f" % (why, latency))
    out("ok=%d fail=%d" % (ok, fail))
    return 0 if fail == 0 else 1


def checksum(data):
    """The Internet checksum (RFC 1071) of bytes."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def synflood(args):
    """--count bare SYNs (no options) from --src ports --sport.. to
    --host:--port, from a raw socket; nothing else is sent."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    src = socket.inet_aton(args.src)
    dst = socket.inet_aton(args.host)
    for i in range(args.count):
        sport = args.sport + i
        hdr = struct.pack("!HHIIBBHHH", sport, args.port, 1000000 + i, 0,
                          5 << 4, 0x02, 64240, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP,
                                         len(hdr))
        hdr = hdr[:16] + struct.pack("!H", checksum(pseudo + hdr)) + hdr[18:]
        s.sendto(hdr, (args.host, 0))
    out("sent %d" % args.count)
    return 0


def main():
    ap = argparse.ArgumentParser(prog="tcpprobe")
    sub = ap.add_subparsers(dest="mode", required=True)
    modes = ["server", "client", "rst", "now", "shutdown"]

    sp = sub.add_parser("server", help="accept loop")
    sp.add_argument("--port", type=int, required=True)
    sp.add_argument("--bind", default="0.0.0.0")
    sp.add_argument("--close", choices=modes, default="server")
    sp.add_argument("--count", type=int, default=0,
                    help="exit after N connections (0: run until killed)")
    sp.add_argument("--timeout", type=float, default=5.0,
                    help="seconds one connection may take")
    sp.add_argument("--backlog", type=int, default=128)

    cp = sub.add_parser("client", help="connect, talk, close; report")
    cp.add_argument("--host", required=True)
    cp.add_argument("--port", type=int, required=True)
    cp.add_argument("--close", choices=modes, default="server")
    cp.add_argument("--count", type=int, default=1)
    cp.add_argument("--interval", type=float, default=0.0,
                    help="seconds between connections")
    cp.add_argument("--timeout", type=float, default=5.0,
                    help="seconds one connection may take, connect included")
    cp.add_argument("--hold", type=float, default=0.0,
                    help="seconds to keep the socket open after the "
                    "exchange (--close server, --close now)")

    fp = sub.add_parser("synflood", help="bare SYNs from a raw socket")
    fp.add_argument("--host", required=True)
    fp.add_argument("--port", type=int, required=True)
    fp.add_argument("--src", required=True, help="the sender's own address")
    fp.add_argument("--sport", type=int, default=50000)
    fp.add_argument("--count", type=int, default=1)
    fp.add_argument("--timeout", type=float, default=5.0)

    args = ap.parse_args()
    if args.port <= 0 or args.port > 65535 or args.timeout <= 0 or \
            args.count < 0:
        ap.error("bad --port, --timeout or --count")
    # SIGTERM ends the process at once (and closes its sockets).
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    try:
        if args.mode == "synflood":
            return synflood(args)
        return server(args) if args.mode == "server" else client(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
