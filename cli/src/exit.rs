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
  10  config: missing or unsafe credentials / config file
For 6 and 7 after a money call (cancel, charge) the outcome may be unknown: the tool prints the
exact `cookiepay search ...` command that tells whether it took effect. Never just retry.";
