//! End-to-end test of the host's timetable planner in chromium (being written).
