#!/usr/bin/env python3
"""Compare the assignments of two placement results: usage: same.py A.json B.json
Prints "identical" (exit 0) or how many applicants differ (exit 1)."""
import json, sys

a, b = (json.load(open(p))["assignments"] for p in sys.argv[1:3])
diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
if diff:
    print(f"DIFFERENT: {len(diff)} applicants, e.g. {sorted(diff)[:5]}")
    sys.exit(1)
print(f"identical ({len(a)} placed)")
