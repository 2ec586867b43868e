#!/usr/bin/env bash
# The timetable benchmark (see docs/timetable.md): solve time, hard-constraint violations and
# soft-goal scores at 60 ALTs / 200 schools / 16 weeks, infeasible variants, the optimality gap
# against an exact solver on tiny requests, and the effect of more search.
#   bench/timetable/run.sh            full run (several minutes on 2 cores)
#   bench/timetable/run.sh --quick    two seeds, fewer exact cases
#   bench/timetable/run.sh --emit FILE  write the 60/200/16 request (seed 1) for `jetdesk timetable`
set -euo pipefail
cd "$(dirname "$0")/../.."
exec cargo run --release -q -p jetdesk-timetable --example bench -- "$@"
