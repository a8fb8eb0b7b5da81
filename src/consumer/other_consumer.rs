//! Signs that another consumer reads the same queue elsewhere (another machine, another
//! state directory): a delete of a receipt this run received answered "not found" when no
//! retry explains it, or receipts that jump past ones this run never saw. The queue shows
//! its head to every reader, so each notification then reaches only one of them. Said once
//! on stderr, counted in the summary.

/// How many jumps are taken for a sign before it is said: a jump alone could be a receipt
/// deleted by hand (`greenq delete`).
const JUMPS_TO_SAY: u64 = 3;

#[derive(Debug, Default)]
pub struct OtherConsumer {
    /// The receipt this run deleted last.
    last_deleted: Option<u64>,
    jumps: u64,
    signs: u64,
    said: bool,
}

impl OtherConsumer {
    pub fn signs(&self) -> u64 {
        self.signs
    }

    /// A receipt came in. A jump past the one deleted last means someone else took those
    /// between; returns the line to say, once.
    pub fn received(&mut self, receipt: u64, instance: u64) -> Option<String> {
        let last = self.last_deleted.take()?;
        if receipt <= last.saturating_add(1) {
            // Next in line, or lower (a restarted service starts again at 1).
            return None;
        }
        self.jumps += 1;
        self.signs += 1;
        (self.jumps >= JUMPS_TO_SAY)
            .then(|| self.say(instance))
            .flatten()
    }

    /// A delete of `receipt` was answered: `found` false is a sign unless `retried`
    /// (a first try whose answer was lost may have deleted it).
    pub fn deleted(
        &mut self,
        receipt: u64,
        found: bool,
        retried: bool,
        instance: u64,
    ) -> Option<String> {
        self.last_deleted = Some(receipt);
        if found || retried {
            return None;
        }
        self.signs += 1;
        self.say(instance)
    }

    fn say(&mut self, instance: u64) -> Option<String> {
        if self.said {
            return None;
        }
        self.said = true;
        Some(format!(
            "another consumer seems to be reading instance {instance}: each notification reaches only one of you; run one consumer per instance"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_found_is_said_once_and_every_sign_counted() {
        let mut o = OtherConsumer::default();
        assert!(o.deleted(1, true, false, 7).is_none());
        assert!(
            o.deleted(2, false, true, 7).is_none(),
            "a retry explains it"
        );
        let line = o.deleted(3, false, false, 7).unwrap();
        assert!(line.contains("instance 7"), "{line}");
        assert!(o.deleted(4, false, false, 7).is_none());
        assert_eq!(o.signs(), 2);
    }

    #[test]
    fn jumps_count_and_are_said_at_the_third() {
        let mut o = OtherConsumer::default();
        assert!(o.received(1, 7).is_none());
        o.deleted(1, true, false, 7);
        assert!(o.received(2, 7).is_none(), "next in line");
        o.deleted(2, true, false, 7);
        assert!(o.received(1, 7).is_none(), "a restarted service");
        for r in [5, 9] {
            o.deleted(r - 2, true, false, 7);
            assert!(o.received(r, 7).is_none());
        }
        o.deleted(9, true, false, 7);
        assert!(o.received(20, 7).is_some());
        assert_eq!(o.signs(), 3);
    }
}
