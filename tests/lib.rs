//! End-to-end and compile tests live under `tests/`; this library is empty.
