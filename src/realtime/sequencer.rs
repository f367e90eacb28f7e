//! Turns the rows the listener reads into a gap-free, seq-ordered stream.
//!
//! Sequence values commit out of order: a reader can see seq 6 while seq 5 belongs to a
//! transaction still in progress (it will appear later) or one that rolled back (it never
//! will). Releasing 6 early would skip 5 for good, so the sequencer holds every event
//! above a gap. A gap is resolved when either the missing rows arrive, or every
//! transaction that was in flight when the gap was first seen has ended — after that, a
//! fresh read that still lacks them proves they will never exist.
//!
//! This module is pure bookkeeping; the listener does the reads and records, for each
//! read, the set of transactions in flight just after it (an opaque string here, called
//! the gap's *snapshot*); [`Sequencer::gap_snapshot`] says which set must drain.

use std::collections::BTreeMap;

use super::events::ChangeEvent;

/// Gap-tracking state.
#[derive(Debug)]
pub struct Sequencer {
    /// Every seq below this is released or proven abandoned.
    next: i64,
    /// Rows seen above a gap, waiting.
    held: BTreeMap<i64, ChangeEvent>,
    /// The snapshot (text form of `pg_current_snapshot()`) of the read that first saw the
    /// current gap; its in-progress transactions must finish before the gap is abandoned.
    gap_snapshot: Option<String>,
}

impl Sequencer {
    /// Starts after `released_through`: every seq up to it is settled.
    pub fn new(released_through: i64) -> Self {
        Self {
            next: released_through + 1,
            held: BTreeMap::new(),
            gap_snapshot: None,
        }
    }

    /// The lowest seq not yet released: read from here.
    pub fn next_seq(&self) -> i64 {
        self.next
    }

    /// How many rows are held above a gap.
    pub fn held_count(&self) -> usize {
        self.held.len()
    }

    /// Whether rows are held above a gap.
    pub fn has_gap(&self) -> bool {
        !self.held.is_empty()
    }

    /// The snapshot whose in-progress transactions must finish before the gap can be
    /// abandoned.
    pub fn gap_snapshot(&self) -> Option<&str> {
        self.gap_snapshot.as_deref()
    }

    /// Accepts a read of rows with `seq >= next_seq()` made under `snapshot` and returns
    /// the events that are now releasable, in seq order.
    pub fn accept(&mut self, rows: Vec<ChangeEvent>, snapshot: &str) -> Vec<ChangeEvent> {
        let gap_before = self.next;
        for row in rows {
            if row.seq >= self.next {
                self.held.insert(row.seq, row);
            }
        }
        let released = self.release_contiguous();
        if self.held.is_empty() {
            self.gap_snapshot = None;
        } else if self.gap_snapshot.is_none() || self.next != gap_before {
            // A new gap (or the old one filled and another opened above it): judge it
            // against the read that first saw it.
            self.gap_snapshot = Some(snapshot.to_string());
        }
        released
    }

    /// Called after a read made once every transaction of [`gap_snapshot`](Self::gap_snapshot)
    /// had finished: missing seqs below the held rows will never appear, so they are
    /// skipped. Returns what becomes releasable. `snapshot` is that read's snapshot, used
    /// for any gap that remains above.
    pub fn abandon_gap(&mut self, snapshot: &str) -> Vec<ChangeEvent> {
        let Some((&first, _)) = self.held.iter().next() else {
            self.gap_snapshot = None;
            return Vec::new();
        };
        self.next = first;
        let released = self.release_contiguous();
        self.gap_snapshot = (!self.held.is_empty()).then(|| snapshot.to_string());
        released
    }

    fn release_contiguous(&mut self) -> Vec<ChangeEvent> {
        let mut released = Vec::new();
        while let Some(event) = self.held.remove(&self.next) {
            self.next += 1;
            released.push(event);
        }
        released
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::events::Topic;

    fn event(seq: i64) -> ChangeEvent {
        ChangeEvent {
            seq,
            topic: Topic::Approval,
            brand_id: None,
            entity_id: None,
            op: "insert".into(),
            payload: serde_json::Value::Null,
            created_at: chrono::Utc::now(),
        }
    }

    fn seqs(events: &[ChangeEvent]) -> Vec<i64> {
        events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn contiguous_rows_are_released_in_order() {
        let mut s = Sequencer::new(0);
        assert_eq!(
            seqs(&s.accept(vec![event(1), event(2), event(3)], "s1")),
            [1, 2, 3]
        );
        assert_eq!(s.next_seq(), 4);
        assert!(!s.has_gap());
    }

    #[test]
    fn rows_above_a_gap_wait_until_it_fills() {
        let mut s = Sequencer::new(4);
        assert!(s.accept(vec![event(6), event(7)], "s1").is_empty());
        assert_eq!(s.gap_snapshot(), Some("s1"));
        // The late commit of 5 arrives with the next read (6 and 7 are read again too).
        assert_eq!(
            seqs(&s.accept(vec![event(5), event(6), event(7)], "s2")),
            [5, 6, 7]
        );
        assert!(!s.has_gap());
        assert_eq!(s.gap_snapshot(), None);
    }

    #[test]
    fn a_gap_whose_writers_all_finished_is_abandoned() {
        let mut s = Sequencer::new(0);
        assert_eq!(
            seqs(&s.accept(vec![event(1), event(3), event(5)], "s1")),
            [1]
        );
        assert_eq!(seqs(&s.abandon_gap("s2")), [3]);
        assert_eq!(
            s.gap_snapshot(),
            Some("s2"),
            "the gap at 4 is judged against the newer read"
        );
        assert_eq!(seqs(&s.abandon_gap("s3")), [5]);
        assert!(!s.has_gap());
        assert_eq!(s.next_seq(), 6);
    }

    #[test]
    fn a_new_gap_above_a_filled_one_is_judged_by_the_newer_read() {
        let mut s = Sequencer::new(4);
        s.accept(vec![event(6)], "old");
        assert_eq!(
            seqs(&s.accept(vec![event(5), event(6), event(8)], "new")),
            [5, 6]
        );
        assert_eq!(s.gap_snapshot(), Some("new"));
    }

    #[test]
    fn rows_already_released_are_never_released_twice() {
        let mut s = Sequencer::new(0);
        s.accept(vec![event(1), event(2)], "s1");
        assert!(s.accept(vec![event(1), event(2)], "s2").is_empty());
    }
}
