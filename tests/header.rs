//! The committed C headers must be what cbindgen (pinned in Cargo.toml) generates from src/ffi.rs
//! today. Nothing writes into the source tree during a build; after changing the C ABI, regenerate with
//! `COOKIEPAY_WRITE_HEADERS=1 cargo test --test header` and commit include/.
//! - include/cookiepay.h      for C and C++ (and P/Invoke, JNI readers): documented, guarded;
//! - include/cookiepay_ffi.h  plain declarations for PHP's FFI::cdef, which rejects `#` lines and
//!   `extern "C"` blocks.

use std::path::Path;

fn generate(plain: bool) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    if plain {
        config.header = None;
        config.include_guard = None;
        config.pragma_once = false;
        config.cpp_compat = false;
        config.documentation = false;
        config.autogen_warning = None;
        config.sys_includes.clear();
        // FFI::cdef takes declarations only: the version constant is a #define.
        config.export.item_types.retain(|t| *t != cbindgen::ItemType::Constants);
    }
    // Only the C module: the JNI exports (src/jni.rs) never reach the C headers.
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/ffi.rs"))
        .generate()
        .expect("cbindgen could not read src/ffi.rs");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

fn check(name: &str, generated: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include").join(name);
    if std::env::var_os("COOKIEPAY_WRITE_HEADERS").is_some() {
        std::fs::write(&path, generated).expect("write the header");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/{name} differs from a fresh generation: run `COOKIEPAY_WRITE_HEADERS=1 cargo test --test header` and commit include/"
    );
}

#[test]
fn committed_headers_are_current() {
    check("cookiepay.h", &generate(false));
    check("cookiepay_ffi.h", &generate(true));
}

#[test]
fn ffi_header_is_plain_declarations_for_php() {
    let text = generate(true);
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with('#')),
        "PHP's FFI::cdef rejects preprocessor lines"
    );
    assert!(!text.contains("extern \"C\""));
    // Owned results are `char *`, never `const char *` (PHP would copy and leak them).
    assert!(text.contains("char *cookiepay_paycert("));
    assert!(!text.contains("const char *cookiepay_paycert("));
}

#[test]
fn every_operation_has_its_c_function() {
    let text = generate(false);
    for op in cookiepay::Operation::ALL {
        let decl = format!(
            "char *cookiepay_{}(struct cookiepay_client *client, const char *request_json);",
            op.name()
        );
        assert!(text.contains(&decl), "{decl} missing from the header");
    }
    for f in [
        "cookiepay_client_new",
        "cookiepay_client_free",
        "cookiepay_string_free",
        "cookiepay_version",
    ] {
        assert!(text.contains(f), "{f} missing");
    }
    for f in [
        "char *cookiepay_parse_return(const char *form_body);",
        "char *cookiepay_parse_noti(const char *body);",
    ] {
        assert!(text.contains(f), "{f} missing");
    }
    assert!(!text.contains("Java_"), "JNI exports leaked into the C header");
    let abi = format!(
        "#define COOKIEPAY_ABI_VERSION {}",
        cookiepay::ffi::COOKIEPAY_ABI_VERSION
    );
    assert!(text.contains(&abi), "{abi} missing");
    assert!(text.contains("unsigned int cookiepay_abi_version(void);"));
}
