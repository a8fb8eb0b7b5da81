//! The notification types greenq knows (`typeWebhook`, from the service's documentation),
//! and the known names closest to a misspelt one.

pub const KNOWN: &[&str] = &[
    "incomingMessageReceived",
    "outgoingMessageReceived",
    "outgoingAPIMessageReceived",
    "outgoingMessageStatus",
    "stateInstanceChanged",
    "incomingCall",
    "quotaExceeded",
    "deviceInfo",
    "statusInstanceChanged",
    "incomingBlock",
];

pub fn is_known(name: &str) -> bool {
    KNOWN.contains(&name)
}

/// The known names nearest to `name` (case-blind edit distance), when any is near enough
/// to be what was meant.
pub fn closest(name: &str) -> Vec<&'static str> {
    let name = name.to_ascii_lowercase();
    let distance = |known: &str| strsim::levenshtein(&name, &known.to_ascii_lowercase());
    let Some(best) = KNOWN.iter().map(|k| distance(k)).min() else {
        return Vec::new();
    };
    // A third of the name may be wrong; beyond that it is a different word.
    if best > name.chars().count().div_ceil(3) {
        return Vec::new();
    }
    KNOWN
        .iter()
        .copied()
        .filter(|k| distance(k) == best)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_find_their_type() {
        assert_eq!(
            closest("incomingMessageRecieved"),
            ["incomingMessageReceived"]
        );
        assert_eq!(closest("OUTGOINGMESSAGESTATUS"), ["outgoingMessageStatus"]);
        assert_eq!(closest("incomingcal"), ["incomingCall"]);
        assert!(closest("banana").is_empty());
        assert!(is_known("quotaExceeded"));
        assert!(!is_known("quotaexceeded"));
    }
}
