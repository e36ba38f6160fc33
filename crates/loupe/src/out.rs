//! The one way commands write their output. A closed pipe (`loupe search
//! ring | head -1`) is not an error for a command-line tool: the first
//! failed write marks stdout closed, later writes are dropped, and the
//! command ends quietly with exit 0. Any other write failure (a full disk
//! behind a redirect) is kept and reported once the command returns.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static CLOSED: AtomicBool = AtomicBool::new(false);
static FAILED: Mutex<Option<String>> = Mutex::new(None);

/// Writes `text` to stdout as is.
pub fn write_str(text: &str) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(err) = out.write_all(text.as_bytes()) {
        fail(err);
    }
}

/// Flushes what stdout still buffers; `main` calls it before exiting.
pub fn flush() {
    if !closed() {
        if let Err(err) = std::io::stdout().lock().flush() {
            fail(err);
        }
    }
}

fn fail(err: std::io::Error) {
    CLOSED.store(true, Ordering::Relaxed);
    if err.kind() != std::io::ErrorKind::BrokenPipe {
        *FAILED.lock().unwrap_or_else(|p| p.into_inner()) = Some(err.to_string());
    }
}

/// True once stdout is gone: a command printing a long list may stop early.
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// The write failure that was not a closed pipe, if any.
pub fn failure() -> Option<String> {
    FAILED.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// `println!` through [`write_str`].
macro_rules! outln {
    () => {
        $crate::out::write_str("\n")
    };
    ($($arg:tt)*) => {
        $crate::out::write_str(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use outln;
