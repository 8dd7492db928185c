//! The memory denylist's hasher, for keys that are already keyed hashes.

use std::hash::{BuildHasherDefault, Hasher};

/// The maps' keys are already hashes under this process's random
/// keys, which nobody outside can steer: hashing them again buys nothing, so
/// the maps use them as they are.
#[derive(Default)]
pub(super) struct KeyedHash(u64);

impl Hasher for KeyedHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is called for the maps' keys; any other input is
        // folded in, never dropped.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

pub(super) type Keyed = BuildHasherDefault<KeyedHash>;
