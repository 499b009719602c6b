//! One JNI surface: the Java declarations in `Native.java` (operation numbers and native methods)
//! must be exactly what `src/jni.rs` exports and `Operation` numbers — checked here, so neither side
//! can drift. Test-only exports must stay behind the `test-exports` feature.

use std::collections::BTreeSet;

use cookiepay::Operation;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const NATIVE_JAVA: &str = "bindings/java/src/main/java/com/cookiepay/Native.java";

#[test]
fn operation_numbers_match_native_java() {
    let java = read(NATIVE_JAVA);
    let mut declared = BTreeSet::new();
    for line in java.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("static final int OP_") else {
            continue;
        };
        let (name, value) = rest.split_once('=').expect("OP_NAME = n;");
        let value: i32 = value.trim().trim_end_matches(';').trim().parse().expect("a number");
        declared.insert((name.trim().to_ascii_lowercase(), value));
    }
    let expected: BTreeSet<(String, i32)> = Operation::ALL
        .iter()
        .map(|op| (op.name().to_string(), op.code()))
        .collect();
    assert_eq!(
        declared, expected,
        "Native.java's OP_* constants differ from Operation (name → code)"
    );
}

#[test]
fn native_methods_match_the_exports() {
    let java = read(NATIVE_JAVA);
    let declared: BTreeSet<String> = java
        .lines()
        .filter_map(|line| line.trim().strip_prefix("static native "))
        .map(|rest| {
            let before_paren = rest.split('(').next().unwrap();
            before_paren.split_whitespace().last().unwrap().to_string()
        })
        .collect();
    let rust = read("src/jni.rs");
    let mut exported = BTreeSet::new();
    let mut test_only = BTreeSet::new();
    let mut previous = "";
    for line in rust.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("pub extern \"system\" fn Java_com_cookiepay_") {
            let symbol = rest.split(['<', '(']).next().unwrap();
            let (class, method) = symbol.split_once('_').unwrap();
            if class == "Native" {
                assert!(
                    !previous.contains("cfg("),
                    "{method}: production exports must not depend on a feature"
                );
                exported.insert(method.to_string());
            } else {
                test_only.insert(format!("{class}.{method}"));
            }
        }
        if !line.is_empty() && !line.starts_with("///") {
            previous = if line.starts_with("#[no_mangle]") {
                previous
            } else {
                line
            };
        }
    }
    assert_eq!(
        declared, exported,
        "Native.java's native methods differ from src/jni.rs's Java_com_cookiepay_Native_* exports"
    );
    assert!(
        !declared.contains("selfTestPanic"),
        "the deliberate panic must not be part of the shipped surface"
    );
    assert_eq!(test_only, BTreeSet::from(["TestNative.selfTestPanic".to_string()]));
    let gated = rust.contains("#[cfg(feature = \"test-exports\")]\n#[no_mangle]\npub extern \"system\" fn Java_com_cookiepay_TestNative_selfTestPanic");
    assert!(
        gated,
        "TestNative.selfTestPanic must be behind the test-exports feature"
    );
}
