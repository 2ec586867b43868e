#!/usr/bin/env python3
"""Run one command, its standard output to a file; print its wall time and peak memory.
usage: measure.py OUT_FILE -- COMMAND [ARG ...]   ->   prints "wall_s peak_rss_mib exit_code"
Peak memory is the kernel's own figure for the finished child (getrusage(RUSAGE_CHILDREN).ru_maxrss),
the same as /usr/bin/time -v's "Maximum resident set size"."""
import resource, subprocess, sys, time

def main():
    out, sep, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    assert sep == "--" and cmd, __doc__
    with open(out, "wb") as f:
        t = time.perf_counter()
        code = subprocess.call(cmd, stdout=f)
        wall = time.perf_counter() - t
    rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"{wall:.3f} {rss_kib / 1024:.1f} {code}")

if __name__ == "__main__":
    main()
