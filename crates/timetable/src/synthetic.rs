//! Synthetic instances for tests and the benchmark (stub, replaced below).
