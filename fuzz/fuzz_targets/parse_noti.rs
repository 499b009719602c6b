//! See harness.rs: the check lives there so `make test` replays kept inputs the same way.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::parse_noti(data));
