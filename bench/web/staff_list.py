#!/usr/bin/env python3
"""Latency of the staff application list and search with a large round.

Usage: bench/web/staff_list.py [--applicants 50000] [--requests 400]

Builds nothing: run `cargo build --release -p jetdesk` first. Creates a fresh data dir, fills it
with `jetdesk demo --applicants N`, starts `jetdesk serve`, signs in as the demo coordinator and
times sequential requests (one connection, so the figure is the server's own latency, not queueing)
for: the first page of the list, a filtered page, a name search, a reference search and a deep page.
Prints p50/p90/p99/max per request kind in milliseconds.
"""
import argparse, http.client, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "jetdesk")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--applicants", type=int, default=50000)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--port", type=int, default=18099)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release -p jetdesk")
    data = tempfile.mkdtemp(prefix="jetdesk-bench-")
    t0 = time.time()
    subprocess.run([BIN, "demo", "--data-dir", data, "--applicants", str(args.applicants)], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"demo data: {args.applicants} applications in {time.time() - t0:.1f} s")
    server = subprocess.Popen([BIN, "serve", "--data-dir", data, "--addr", f"127.0.0.1:{args.port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = wait_for(args.port)
        cookie = sign_in(conn)
        kinds = {
            "list, first page": "/staff/applications",
            "list, filtered (CIR, eligible)": "/staff/applications?position=cir&state=eligible",
            "search by name": "/staff/applications?q=smith",
            "search by reference": "/staff/applications?q=JET27-UK-012345",
            "search, part of a reference": "/staff/applications?q=01234",
            "list, page 500": "/staff/applications?page=500",
        }
        for name, path in kinds.items():
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie})
                res = conn.getresponse()
                body = res.read()
                times.append((time.perf_counter() - start) * 1000)
                if res.status != 200:
                    sys.exit(f"{path}: HTTP {res.status}")
            times.sort()
            q = lambda p: times[min(len(times) - 1, int(p * len(times)))]
            print(f"{name:32} p50 {q(0.50):6.1f} ms  p90 {q(0.90):6.1f} ms  p99 {q(0.99):6.1f} ms  max {times[-1]:6.1f} ms"
                  f"  ({len(body)} bytes)")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


def wait_for(port):
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/healthz")
            if c.getresponse().read() and True:
                return c
        except OSError:
            time.sleep(0.1)
    sys.exit("server did not start")


def sign_in(conn):
    conn.request("GET", "/login")
    res = conn.getresponse()
    page = res.read().decode()
    session = res.getheader("Set-Cookie").split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": csrf, "email": "coordinator@jetdesk.example", "password": "jetdesk-demo"})
    conn.request("POST", "/login", body=body, headers={"Cookie": session, "Content-Type": "application/x-www-form-urlencoded"})
    res = conn.getresponse()
    res.read()
    if res.status != 303:
        sys.exit(f"sign-in failed: HTTP {res.status}")
    return res.getheader("Set-Cookie").split(";")[0]


if __name__ == "__main__":
    main()
