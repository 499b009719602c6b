//! Replays every input kept in tests/fuzz-regressions/<target>/ through the fuzz targets' own checks
//! (fuzz/harness.rs): inputs that once crashed, and hand-made edge cases.

#[path = "../fuzz/harness.rs"]
mod harness;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = format!("{}/tests/fuzz-regressions/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("{} fails again", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "{dir} holds no inputs");
}

#[test]
fn parse_return_inputs() {
    replay("parse_return", harness::parse_return);
}

#[test]
fn ffi_call_inputs() {
    replay("ffi_calls", harness::ffi_calls);
}

#[test]
fn answer_inputs() {
    replay("answers", harness::answers);
}

#[test]
fn noti_inputs() {
    replay("parse_noti", harness::parse_noti);
}
