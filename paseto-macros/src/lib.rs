//! Attribute macros for [`paseto-runtime`](https://docs.rs/paseto-runtime).
//!
//! Depend on `paseto-runtime`, which re-exports what this crate provides.
