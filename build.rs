//! Generates the C headers from src/ffi.rs with cbindgen:
//! - include/cookiepay.h      for C and C++ (and P/Invoke, JNI readers): documented, guarded;
//! - include/cookiepay_ffi.h  plain declarations for PHP's FFI::cdef, which rejects `#` lines and
//!   `extern "C"` blocks.
//!
//! Both are committed; `make test` fails when a fresh generation differs from the committed files.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    generate(&crate_dir, config.clone(), "cookiepay.h");

    let mut plain = config;
    plain.header = None;
    plain.include_guard = None;
    plain.pragma_once = false;
    plain.cpp_compat = false;
    plain.documentation = false;
    plain.autogen_warning = None;
    generate(&crate_dir, plain, "cookiepay_ffi.h");
}

fn generate(crate_dir: &std::path::Path, config: cbindgen::Config, name: &str) {
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read src/ffi.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    bindings.write_to_file(&out);
    // The committed copy: written only when it changed, so builds stay incremental.
    bindings.write_to_file(crate_dir.join("include").join(name));
}
