//! Who should hold what: each member's fair share, ceil(queues / live members), and the
//! order in which a member takes and gives back queues, by rendezvous hashing (each queue
//! ranks the members by a hash of both), so that little moves when a member comes or goes.

/// At most this many queues per member.
pub fn fair_share(queues: usize, live: usize) -> usize {
    queues.div_ceil(live.max(1))
}

/// A stable 64-bit weight of `member` for `instance` (FNV-1a, then a mix): the same in
/// every process and every release.
pub fn weight(member: &str, instance: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in member.bytes().chain([0]).chain(instance.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64's finaliser: near names give far weights.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// How much `member` is preferred for `instance` among `live` (smaller first): its place
/// in the queue's ranking, then its own weight.
pub fn preference(member: &str, instance: u64, live: &[String]) -> (usize, std::cmp::Reverse<u64>) {
    let own = weight(member, instance);
    let place = live
        .iter()
        .filter(|m| m.as_str() != member && weight(m, instance) > own)
        .count();
    (place, std::cmp::Reverse(own))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_up_and_survive_no_members() {
        assert_eq!(fair_share(30, 3), 10);
        assert_eq!(fair_share(31, 3), 11);
        assert_eq!(fair_share(1, 2), 1);
        assert_eq!(fair_share(5, 0), 5);
    }

    #[test]
    fn rendezvous_moves_little_when_a_member_leaves() {
        let three: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let two: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let top = |live: &[String], q: u64| {
            live.iter()
                .min_by_key(|m| preference(m, q, live))
                .cloned()
                .unwrap()
        };
        let mut moved = 0;
        let mut per = std::collections::BTreeMap::new();
        for q in 0..300u64 {
            let before = top(&three, q);
            *per.entry(before.clone()).or_insert(0) += 1;
            let after = top(&two, q);
            if before != "c" {
                assert_eq!(before, after, "a queue of a live member moved");
            } else {
                moved += 1;
            }
        }
        assert!(moved > 50 && moved < 150, "{moved}");
        assert!(per.values().all(|&n| n > 60), "{per:?}");
    }
}
