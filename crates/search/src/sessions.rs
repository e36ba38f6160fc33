//! Per-session state for passes over the event log in time order (the
//! session's last query, what it clicked), forgotten once a session has been
//! idle for a day so that a pass over years of events holds the sessions in
//! flight, not every session ever seen.

use std::collections::HashMap;

/// A session idle this long (milliseconds) is over.
const IDLE_MS: i64 = 24 * 3_600_000;

/// Events between two sweeps of idle sessions.
const SWEEP_EVERY: u32 = 65_536;

pub(crate) struct Sessions<S> {
    /// Session key -> (time of its last event, state).
    map: HashMap<String, (i64, S)>,
    since_sweep: u32,
}

impl<S: Default> Sessions<S> {
    pub fn new() -> Sessions<S> {
        Sessions { map: HashMap::new(), since_sweep: 0 }
    }

    /// Notes an event of `session` at `at` (Unix ms) and returns its state.
    /// Events must come in time order.
    pub fn touch(&mut self, session: &str, at: i64) -> &mut S {
        self.since_sweep += 1;
        if self.since_sweep >= SWEEP_EVERY {
            self.since_sweep = 0;
            self.map.retain(|_, (last, _)| at - *last <= IDLE_MS);
        }
        if !self.map.contains_key(session) {
            // Only a new session pays for an owned key.
            self.map.insert(session.to_string(), (at, S::default()));
        }
        let slot = self.map.get_mut(session).expect("inserted above");
        slot.0 = at;
        &mut slot.1
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_sessions_are_forgotten_and_live_ones_kept() {
        let mut s: Sessions<u32> = Sessions::new();
        *s.touch("old", 0) += 1;
        *s.touch("live", 0) += 1;
        let later = IDLE_MS * 2;
        // Enough events to trigger a sweep, all from the live session.
        for i in 0..SWEEP_EVERY {
            *s.touch("live", later + i64::from(i)) += 1;
        }
        assert_eq!(s.len(), 1, "the session idle for two days is gone");
        assert_eq!(*s.touch("live", later + 1_000_000), u32::from(u16::MAX) + 2, "one plus one per event");
        assert_eq!(*s.touch("old", later + 1_000_000), 0, "a forgotten session starts afresh");
    }
}
