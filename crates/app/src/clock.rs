//! The wall clock, handed in from outside. No crate below the binary reads
//! the clock itself: the binary gives `app` a [`Clock`] that reads the system
//! time, tests give one that stands still, and evaluations on old data can
//! put "now" where the data ends.

use std::sync::Arc;

/// Unix time in milliseconds, from whatever the caller decided "now" is.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// A clock that asks `now_ms` (Unix milliseconds) each time.
    pub fn new(now_ms: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now_ms))
    }

    /// A clock that always says `ms`.
    pub fn fixed(ms: i64) -> Clock {
        Clock::new(move || ms)
    }

    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }

    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Today's date in UTC.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::DateTime::from_timestamp(self.now_secs(), 0).unwrap_or_default().date_naive()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now_ms())
    }
}
