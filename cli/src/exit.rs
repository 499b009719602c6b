//! Exit codes: one per error kind of the core (README "Error kinds"), plus the CLI's own.

pub const OK: u8 = 0;
/// The confirmation prompt was answered with anything but yes: nothing was sent.
pub const ABORTED: u8 = 1;
/// Bad command line; also a money call with no terminal to confirm on and no `--yes`.
pub const USAGE: u8 = 2;
pub const INVALID: u8 = 3;
pub const API: u8 = 4;
pub const VERIFICATION_FAILED: u8 = 5;
pub const NETWORK: u8 = 6;
pub const TIMEOUT: u8 = 7;
pub const HTTP: u8 = 8;
pub const INTERNAL: u8 = 9;
pub const CONFIG: u8 = 10;
/// A money call's outcome is unknown (its answer was lost), or the same call is still unsettled in
/// the journal: do NOT retry; settle it first (`cookiepay unknown`).
pub const UNKNOWN: u8 = 11;

/// The exit code for an error `kind` of the core's envelope.
pub fn for_kind(kind: &str) -> u8 {
    match kind {
        "invalid_argument" | "validation" => INVALID,
        "api" => API,
        "verification_failed" => VERIFICATION_FAILED,
        "network" => NETWORK,
        "timeout" => TIMEOUT,
        "http" | "decode" => HTTP,
        "config" => CONFIG,
        _ => INTERNAL,
    }
}

/// Shown at the end of `cookiepay --help` and in the README.
pub const TABLE: &str = "\
Exit codes:
   0  ok
   1  aborted at the confirmation prompt (nothing was sent)
   2  usage: bad flags or arguments; a money call without a terminal and without --yes
   3  invalid_argument / validation: refused before anything was sent
   4  api: CookiePay answered an error code (declined, unknown TID, ...)
   5  verification_failed: the payment does not match (or was cancelled) - do not ship
   6  network: dns / connect / tls / read failure
   7  timeout: no answer in time
   8  http / decode: an unexpected or unreadable answer (proxy page, 500, broken JSON)
   9  internal: a bug - please report it
  10  config: missing or unsafe credentials / config file / journal
  11  outcome UNKNOWN: a money call's answer was lost and it may have taken effect, or the same
      call is still unsettled from before - do NOT retry; settle it: cookiepay unknown list
After a money call (cancel, charge, schedule-cancel, billkey-delete) 3, 4, 6, 7 and 8 mean it was
not applied (outcome not_applied: safe to retry); 11 means unknown (must not be retried until settled).";
