//! A one-line "waiting for CookiePay" indicator on stderr for calls slower than [`DELAY`], erased
//! when the call returns. Only when stderr is a terminal: scripts, pipes and log files see exactly
//! what they saw before (nothing), and so do fast calls.
//!
//! Cursor control is a carriage return and spaces only (no escape sequences), so any terminal shows
//! it right; TERM=dumb (e.g. Emacs' shell buffer, which does not honour `\r`) gets no indicator.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A call that answers sooner shows nothing: most do, and a flash of text would only distract.
const DELAY: Duration = Duration::from_millis(300);
const TICK: Duration = Duration::from_millis(100);
const SPINNER: [char; 4] = ['|', '/', '-', '\\'];

/// Columns of the indicator now on screen (0: none). Everything else this tool writes to stderr
/// during a call (the `-v` exchange log) goes through [`eprint_above`], which clears it first.
static DRAWN: Mutex<usize> = Mutex::new(0);

fn enabled() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Runs `call` (one operation of the core, named `what`), showing the indicator while it lasts
/// longer than [`DELAY`]; the line is erased before this returns.
pub fn during<T>(what: &str, call: impl FnOnce() -> T) -> T {
    if !enabled() {
        return call();
    }
    let (done, finished) = mpsc::channel::<()>();
    let label = what.to_string();
    let started = Instant::now();
    let ticker = std::thread::Builder::new().name("progress".into()).spawn(move || {
        if finished.recv_timeout(DELAY) != Err(RecvTimeoutError::Timeout) {
            return;
        }
        for turn in 0.. {
            draw(&text(&label, SPINNER[turn % SPINNER.len()], started.elapsed()));
            if finished.recv_timeout(TICK) != Err(RecvTimeoutError::Timeout) {
                break;
            }
        }
        erase(&mut lock());
    });
    // No thread to be had: the call goes ahead without an indicator.
    let answer = call();
    drop(done);
    if let Ok(ticker) = ticker {
        let _ = ticker.join();
    }
    answer
}

fn text(label: &str, spin: char, elapsed: Duration) -> String {
    format!("{spin} waiting for CookiePay: {label} {:.1}s", elapsed.as_secs_f64())
}

fn lock() -> std::sync::MutexGuard<'static, usize> {
    DRAWN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn draw(line: &str) {
    let mut drawn = lock();
    let width = line.chars().count();
    // Spaces over what a longer earlier text left (the label stays; the seconds only grow, but be sure).
    let pad = drawn.saturating_sub(width);
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{line}{:pad$}", "");
    let _ = err.flush();
    *drawn = width.max(*drawn);
}

fn erase(drawn: &mut usize) {
    if *drawn == 0 {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{:w$}\r", "", w = *drawn);
    let _ = err.flush();
    *drawn = 0;
}

/// `eprint!` that first clears the indicator, if one is shown, so the text starts on a clean line;
/// the next tick draws the indicator again below it.
pub fn eprint_above(text: &str) {
    let mut drawn = lock();
    erase(&mut drawn);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_the_call_and_the_time() {
        assert_eq!(
            text("paycert", '/', Duration::from_millis(1300)),
            "/ waiting for CookiePay: paycert 1.3s"
        );
    }

    #[test]
    fn a_call_returns_its_answer() {
        // Under `cargo test` stderr may or may not be a terminal: either way the answer comes back.
        assert_eq!(during("token", || 42), 42);
    }
}
