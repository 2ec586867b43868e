#!/usr/bin/env bash
# The placement benchmark: jetdesk place against the `matching` library (the peer) and the plain
# Python reference, on instances from the shared generator. Reports wall time and peak memory of
# each, jetdesk's own split (read / parse / solve / check / write), and whether assignments agree.
#
# usage: bench/placement/run.sh [SIZE ...]      SIZE is APPLICANTS or APPLICANTS:MEAN_CAPACITY
#   default: 20000 1000000:9   (1,000,000 applicants x 10 choices over 100,000 posts)
# env: SHARED (default ../shared beside the repo), WORK (instance cache, default /tmp/jetdesk-bench),
#      CARGO_TARGET_DIR (where the release build goes, as for cargo; default target/ in the repo),
#      PEER_MAX (largest size the peer is run on, default 20000: it takes ~90 s there),
#      REF_MAX (largest size the reference is run on, default 1000000).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/bench/placement"
shared="${SHARED:-$repo/../shared}/bench/placement"
work="${WORK:-/tmp/jetdesk-bench}"
peer_max="${PEER_MAX:-20000}"
ref_max="${REF_MAX:-1000000}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 1000000:9)

[ -f "$shared/gen.py" ] || { echo "no generator at $shared (set SHARED)" >&2; exit 2; }
python3 -c "import matching" 2>/dev/null || python3 -m pip install --quiet matching
(cd "$repo" && cargo build --release --quiet -p jetdesk)
bin="${CARGO_TARGET_DIR:-$repo/target}/release/jetdesk"
mkdir -p "$work"

for size in "${sizes[@]}"; do
  n="${size%%:*}"; cap=5; [[ "$size" == *:* ]] && cap="${size#*:}"
  inst="$work/n${n}_c${cap}.json"
  [ -s "$inst" ] || python3 "$shared/gen.py" --applicants "$n" --mean-capacity "$cap" --seed 0 > "$inst"
  echo "== $n applicants x 10 choices, mean capacity $cap ($(du -m "$inst" | cut -f1) MB of JSON)"
  read -r wall rss code < <(python3 "$here/measure.py" "$work/ours.json" -- "$bin" place --input "$inst" 2> "$work/ours.err")
  echo "jetdesk place:  ${wall} s, peak ${rss} MiB, exit ${code}"
  sed 's/^/  /' "$work/ours.err"
  read -r wall2 rss2 _ < <(python3 "$here/measure.py" "$work/ours-explained.json" -- "$bin" place --explain --input "$inst" 2> /dev/null)
  echo "  (with --explain: ${wall2} s, peak ${rss2} MiB)"
  if [ "$n" -le "$ref_max" ]; then
    read -r rwall rrss _ < <(python3 "$here/measure.py" "$work/ref.json" -- python3 "$shared/reference.py" "$inst")
    echo "reference.py:   ${rwall} s, peak ${rrss} MiB; $(python3 "$here/same.py" "$work/ours.json" "$work/ref.json")"
  fi
  if [ "$n" -le "$peer_max" ]; then
    read -r pwall prss _ < <(python3 "$here/measure.py" "$work/peer.json" -- python3 "$shared/peer.py" "$inst" 2>/dev/null)
    echo "peer.py:        ${pwall} s, peak ${prss} MiB; $(python3 "$here/same.py" "$work/ours.json" "$work/peer.json")"
    python3 -c "print(f'jetdesk is {float($pwall)/float($wall):.0f}x faster than the peer end to end')"
  fi
done
