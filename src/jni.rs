//! The JNI glue of the Java binding (`bindings/java`): the only module that knows about the JVM, as
//! `ffi` is the only one that knows about C. It implements the static native methods of the Java
//! class `com.cookiepay.Native` on the same core calls as the C ABI, so Java receives exactly the
//! JSON envelopes C, PHP and C# receive; the Java side turns them into maps and exceptions.
//!
//! - Text crosses through the jni crate's conversions, which re-encode between Java's Modified
//!   UTF-8 and real UTF-8 (a raw `NewStringUTF` of an emoji garbles it, or aborts under
//!   `-Xcheck:jni`). The raw return body crosses as `byte[]`, like the C ABI's bytes.
//! - Every export runs inside `guard`: a panic becomes the `internal` error envelope the C ABI
//!   returns, a failed JNI call leaves its Java exception pending (or raises one). Nothing unwinds
//!   into the JVM, which would abort every application on that Tomcat.
//! - A handle is a `Box<Client>` pointer passed as a `long`; 0 means closed. The Java side keeps the
//!   client alive while calls run (a read-write lock around `close`).

use ::jni::objects::{JByteArray, JClass, JObjectArray, JString};
use ::jni::strings::{JNIStr, JNIString};
use ::jni::sys::{jint, jlong, jstring};
use ::jni::{jni_str, Env, EnvUnowned, Outcome};

use crate::boundary::{catch_quietly, drop_quietly, internal_error, Panicked};
use crate::client::{parse_noti_envelope, parse_return_envelope, Client};
use crate::error::{envelope_text, Error};
use crate::operation::Operation;

/// Why an export could not produce its value.
enum Failure {
    /// A JNI call failed: its Java exception propagates if one is pending, else this message is
    /// raised (the jni crate's error text: names of JNI failures, never data).
    Jni(String),
    /// Raise a new exception of this class with this message (messages never carry secrets).
    Throw(&'static JNIStr, &'static str),
}

impl From<::jni::errors::Error> for Failure {
    fn from(err: ::jni::errors::Error) -> Self {
        Failure::Jni(err.to_string())
    }
}

const ILLEGAL_STATE: &JNIStr = jni_str!("java/lang/IllegalStateException");
const ILLEGAL_ARGUMENT: &JNIStr = jni_str!("java/lang/IllegalArgumentException");
const RUNTIME: &JNIStr = jni_str!("java/lang/RuntimeException");

enum Step<T> {
    Done(T),
    Failed(Failure),
    Panicked,
}

/// Run `f` with a JNI environment, every panic caught.
fn attempt<'local, T>(
    unowned: &mut EnvUnowned<'local>,
    f: impl FnOnce(&mut Env<'local>) -> Result<T, Failure>,
) -> Step<T> {
    match catch_quietly(|| unowned.with_env(f).into_outcome()) {
        Ok(Outcome::Ok(value)) => Step::Done(value),
        Ok(Outcome::Err(failure)) => Step::Failed(failure),
        Ok(Outcome::Panic(payload)) => {
            drop_quietly(payload);
            Step::Panicked
        }
        Err(Panicked) => Step::Panicked,
    }
}

/// The boundary of every export: `body`'s value; if it panicked, `on_panic`'s (the `internal`
/// envelope); otherwise `fallback` with a Java exception pending.
fn guard<'local, T>(
    unowned: &mut EnvUnowned<'local>,
    fallback: T,
    on_panic: impl FnOnce(&mut Env<'local>) -> Result<T, Failure>,
    body: impl FnOnce(&mut Env<'local>) -> Result<T, Failure>,
) -> T {
    let failure = match attempt(unowned, body) {
        Step::Done(value) => return value,
        Step::Failed(failure) => failure,
        Step::Panicked => {
            let recovery = attempt(unowned, |env| {
                // A pending exception forbids most JNI calls: let it propagate instead.
                if env.exception_check() {
                    return Err(Failure::Jni(String::new()));
                }
                on_panic(env)
            });
            match recovery {
                Step::Done(value) => return value,
                Step::Failed(failure) => failure,
                Step::Panicked => Failure::Throw(RUNTIME, "cookiepay: internal error (caught)"),
            }
        }
    };
    raise(unowned, failure);
    fallback
}

/// Leave a Java exception pending for `failure`, unless one is pending already.
fn raise(unowned: &mut EnvUnowned<'_>, failure: Failure) {
    let _ = attempt(unowned, |env| {
        if env.exception_check() {
            return Ok(());
        }
        let (class, message) = match failure {
            Failure::Throw(class, message) => (class, message.to_owned()),
            Failure::Jni(cause) => (RUNTIME, format!("cookiepay: a JNI call failed: {cause}")),
        };
        // throw_new reports the thrown exception as Err(JavaException): that is the success case.
        let _ = env.throw_new(class, JNIString::from(message));
        Ok(())
    });
}

/// `guard` for the exports that return a Java String: a panic answers with the `internal` envelope.
fn guard_string<'local>(
    unowned: &mut EnvUnowned<'local>,
    body: impl FnOnce(&mut Env<'local>) -> Result<jstring, Failure>,
) -> jstring {
    guard(
        unowned,
        std::ptr::null_mut(),
        |env| new_string(env, &internal_envelope()),
        body,
    )
}

/// The envelope of a caught panic: the C ABI's `internal` error, so every runtime reports it alike.
fn internal_envelope() -> String {
    envelope_text(&Err(internal_error()))
}

fn invalid_envelope(message: &str) -> String {
    envelope_text(&Err(Error::invalid(message)))
}

/// A Java string as UTF-8 (the crate decodes Modified UTF-8, surrogate pairs included); None if null.
fn read_text(env: &Env<'_>, text: &JString<'_>) -> Result<Option<String>, Failure> {
    if text.is_null() {
        return Ok(None);
    }
    Ok(Some(text.try_to_string(env)?))
}

/// A new Java string from UTF-8 (re-encoded to Modified UTF-8 by the crate).
fn new_string(env: &mut Env<'_>, text: &str) -> Result<jstring, Failure> {
    Ok(JString::from_str(env, text)?.into_raw())
}

/// `clientNew`'s error goes to `error_out[0]`: the Java side maps envelopes to exceptions.
fn store_error(env: &mut Env<'_>, error_out: &JObjectArray<'_>, json: &str) -> Result<(), Failure> {
    if error_out.is_null() {
        return Err(Failure::Throw(ILLEGAL_ARGUMENT, "error_out is null"));
    }
    let text = JString::from_str(env, json)?;
    error_out.set_element(env, 0, &text)?;
    Ok(())
}

/// `static native long clientNew(String configJson, String[] errorOut)`: a handle, or 0 with the
/// error envelope in `errorOut[0]`.
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_clientNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
    error_out: JObjectArray<'local>,
) -> jlong {
    client_new(env, config_json, error_out, false)
}

/// How many records a thread keeps until the Java side takes them (it takes them after every call;
/// the cap only bounds a misuse).
const MAX_RECORDS: usize = 256;

thread_local! {
    /// The exchange records of observed clients' calls on this thread, for `takeRecords`. Pulled by
    /// Java rather than pushed: no JVM upcall from inside a call, so a listener's exception or a
    /// re-entrant call cannot meet a half-finished exchange.
    static RECORDS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `static native long clientNewObserved(String configJson, String[] errorOut)`: `clientNew`, and
/// every HTTP exchange of the client leaves a record (`Exchange::record_json`: no body, no secret)
/// for `takeRecords` on the calling thread.
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_clientNewObserved<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
    error_out: JObjectArray<'local>,
) -> jlong {
    client_new(env, config_json, error_out, true)
}

fn client_new<'local>(
    mut env: EnvUnowned<'local>,
    config_json: JString<'local>,
    error_out: JObjectArray<'local>,
    observed: bool,
) -> jlong {
    guard(
        &mut env,
        0,
        |env| store_error(env, &error_out, &internal_envelope()).map(|()| 0),
        |env| {
            let created = match read_text(env, &config_json)? {
                Some(config) => Client::from_json(&config),
                None => Err(Error::invalid("config_json is NULL")),
            };
            match created {
                Ok(mut client) => {
                    if observed {
                        client.set_observer(|exchange| {
                            let record = exchange.record_json();
                            RECORDS.with(|r| {
                                let mut records = r.borrow_mut();
                                if records.len() < MAX_RECORDS {
                                    records.push(record);
                                }
                            });
                        });
                    }
                    Ok(Box::into_raw(Box::new(client)) as jlong)
                }
                Err(err) => store_error(env, &error_out, &envelope_text(&Err(err))).map(|()| 0),
            }
        },
    )
}

/// `static native String takeRecords()`: the records left on this thread since the last take, as a
/// JSON array (`[]` when none), and forgets them.
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_takeRecords<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jstring {
    guard_string(&mut env, |env| {
        let records = RECORDS.with(|r| std::mem::take(&mut *r.borrow_mut()));
        new_string(env, &format!("[{}]", records.join(",")))
    })
}

/// `static native void clientFree(long handle)`: 0 is ignored. The Java side calls it once, after
/// every call on the handle has returned.
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_clientFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    guard(
        &mut env,
        (),
        |_| Ok(()),
        |_| {
            if handle != 0 {
                // SAFETY: a non-zero handle comes from clientNew and is freed exactly once.
                drop(unsafe { Box::from_raw(handle as *mut Client) });
            }
            Ok(())
        },
    )
}

/// `static native String call(long handle, int op, String requestJson)`: the envelope.
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_call<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    op: jint,
    request_json: JString<'local>,
) -> jstring {
    guard_string(&mut env, |env| {
        // SAFETY: a non-zero handle comes from clientNew and stays alive during the call.
        let client = unsafe { (handle as *const Client).as_ref() }
            .ok_or(Failure::Throw(ILLEGAL_STATE, "the CookiePay client is closed"))?;
        let op = Operation::from_code(op).ok_or(Failure::Throw(ILLEGAL_ARGUMENT, "unknown CookiePay operation"))?;
        let answer = match read_text(env, &request_json)? {
            Some(request) => client.call(op, &request),
            None => invalid_envelope("request_json is NULL"),
        };
        new_string(env, &answer)
    })
}

/// A byte[] body → the envelope of `parse` (the raw-body calls need no client).
fn parse_bytes<'local>(
    unowned: &mut EnvUnowned<'local>,
    body: JByteArray<'local>,
    parse: fn(&[u8]) -> String,
) -> jstring {
    guard_string(unowned, |env| {
        let answer = if body.is_null() {
            invalid_envelope("the body is NULL")
        } else {
            parse(&env.convert_byte_array(&body)?)
        };
        new_string(env, &answer)
    })
}

/// `static native String parseReturn(byte[] formBody)`: the raw body posted to RETURNURL, as bytes
/// (percent-decoding comes first, then UTF-8 is checked per field).
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_parseReturn<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    form_body: JByteArray<'local>,
) -> jstring {
    parse_bytes(&mut env, form_body, parse_return_envelope)
}

/// `static native String parseNoti(byte[] body)`: the raw JSON body of a Noti.
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_parseNoti<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    body: JByteArray<'local>,
) -> jstring {
    parse_bytes(&mut env, body, parse_noti_envelope)
}

/// `static native String version()`: the library version, e.g. "0.1.0".
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_version<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jstring {
    guard_string(&mut env, |env| new_string(env, crate::VERSION))
}

/// `static native int abiVersion()`: `cookiepay_abi_version()`, which the Java binding checks on load
/// as the C bindings do. No JNIEnv work, nothing that can panic.
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_Native_abiVersion<'local>(
    _env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jint {
    crate::ffi::COOKIEPAY_ABI_VERSION as jint
}

/// `static native String selfTestPanic()` of the Java tests' `com.cookiepay.TestNative`: panics inside
/// the boundary, so the tests can prove a panic reaches Java as the `internal` envelope
/// (CookiePayInternalException), never a JVM abort. Only in libraries built with the `test-exports`
/// feature (the Java suite builds one); the shipped library does not have it.
#[cfg(feature = "test-exports")]
#[no_mangle]
pub extern "system" fn Java_com_cookiepay_TestNative_selfTestPanic<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jstring {
    guard_string(&mut env, |_| -> Result<jstring, Failure> {
        panic!("cookiepay self-test: a deliberate panic in the JNI boundary")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_and_invalid_envelopes() {
        let internal: serde_json::Value = serde_json::from_str(&internal_envelope()).unwrap();
        assert_eq!(internal["ok"], false);
        assert_eq!(internal["error"]["kind"], "internal");
        let invalid: serde_json::Value = serde_json::from_str(&invalid_envelope("x is NULL")).unwrap();
        assert_eq!(invalid["error"]["kind"], "invalid_argument");
        assert_eq!(invalid["error"]["message"], "x is NULL");
    }
}
