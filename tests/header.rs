//! The committed headers must be what build.rs generates from the current source.

use std::process::Command;

#[test]
fn committed_headers_are_current() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let generated = std::fs::read_to_string(concat!(env!("OUT_DIR"), "/cookiepay.h")).expect("generated header");
    let on_disk = std::fs::read_to_string(format!("{dir}/include/cookiepay.h")).expect("include/cookiepay.h");
    assert_eq!(generated, on_disk, "include/cookiepay.h differs from a fresh generation");
    // build.rs refreshes include/; what counts is what is committed.
    let diff = Command::new("git")
        .args(["diff", "--exit-code", "--stat", "HEAD", "--", "include/"])
        .current_dir(dir)
        .output()
        .expect("git is needed to compare the committed headers");
    assert!(
        diff.status.success(),
        "the committed headers are stale; commit the regenerated include/:\n{}",
        String::from_utf8_lossy(&diff.stdout)
    );
}

#[test]
fn ffi_header_is_plain_declarations_for_php() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/cookiepay_ffi.h")).unwrap();
    assert!(!text.lines().any(|l| l.trim_start().starts_with('#')), "PHP's FFI::cdef rejects preprocessor lines");
    assert!(!text.contains("extern \"C\""));
    for f in ["cookiepay_client_new", "cookiepay_string_free", "cookiepay_parse_return", "cookiepay_verify"] {
        assert!(text.contains(f), "{f} missing");
    }
    // Owned results are `char *`, never `const char *` (PHP would copy and leak them).
    assert!(text.contains("char *cookiepay_paycert("));
    assert!(!text.contains("const char *cookiepay_paycert("));
}
