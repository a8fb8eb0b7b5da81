//! A stable 128-bit fingerprint of bytes (FNV-1a), for what outlives the process: the
//! ledger's body hashes and `--dedupe` keys. std's hashers may change between Rust
//! releases, and a changed hash would make a handled notification look new.

const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

/// The fingerprint of `parts`, each ended by a zero byte so that ("ab", "c") and
/// ("a", "bc") differ.
pub fn of(parts: &[&[u8]]) -> u128 {
    let mut hash = OFFSET;
    for part in parts {
        for &byte in part.iter().chain(&[0u8]) {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// 32 hex digits, as the ledger stores it (readable with `sqlite3`).
pub fn hex(fingerprint: u128) -> String {
    format!("{fingerprint:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_and_part_boundaries() {
        // FNV-1a 128 of a single zero byte: the offset basis times the prime.
        assert_eq!(of(&[b""]), OFFSET.wrapping_mul(PRIME));
        assert_ne!(of(&[b"ab", b"c"]), of(&[b"a", b"bc"]));
        assert_eq!(of(&[b"{\"a\":1}"]), of(&[b"{\"a\":1}"]));
        assert_ne!(of(&[b"{\"a\":1}"]), of(&[b"{\"a\":2}"]));
        assert_eq!(hex(1).len(), 32);
    }
}
