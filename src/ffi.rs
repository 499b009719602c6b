//! The C ABI: the only module that sees raw pointers. Every export runs inside `boundary`, so a bug
//! becomes an `internal` error value instead of unwinding into PHP, .NET or the JVM (which would abort
//! the whole worker). Inputs are checked for NULL and UTF-8 before use; every returned string is
//! allocated here and must come back through `cookiepay_string_free`.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void, CStr, CString};

use crate::boundary::{catch_quietly, internal_error, Panicked};
use crate::client::{parse_noti_envelope, parse_return_envelope, Client};
use crate::error::{envelope_text, Error};
use crate::operation::Operation;

/// Opaque client handle. Create with `cookiepay_client_new`, release with `cookiepay_client_free`.
pub struct cookiepay_client {
    client: Client,
}

/// Run `body`; a panic becomes `on_panic()`.
fn guarded<T>(on_panic: impl FnOnce() -> T, body: impl FnOnce() -> T) -> T {
    catch_quietly(body).unwrap_or_else(|Panicked| on_panic())
}

/// Hand a JSON string to C. serde_json escapes U+0000, so there is never an interior NUL.
fn to_c(json: String) -> *mut c_char {
    match CString::new(json) {
        Ok(s) => s.into_raw(),
        Err(_) => CString::new(envelope_text(&Err(internal_error())))
            .map(CString::into_raw)
            .unwrap_or(std::ptr::null_mut()),
    }
}

fn error_c(err: Error) -> *mut c_char {
    to_c(envelope_text(&Err(err)))
}

/// Borrow a C string argument as UTF-8 text.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid for `'a`.
unsafe fn text_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::invalid(format!("{name} is NULL")));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|_| Error::invalid(format!("{name} is not valid UTF-8")))
}

/// Create a client from a JSON config (see README.md). Returns NULL on error and then, if
/// `error_json` is not NULL, stores an error envelope there that the caller frees with
/// `cookiepay_string_free`. On success `*error_json` is set to NULL. Nothing connects yet.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `error_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_client_new(
    config_json: *const c_char,
    error_json: *mut *mut c_char,
) -> *mut cookiepay_client {
    let result = guarded(
        || Err(internal_error()),
        || text_arg(config_json, "config_json").and_then(Client::from_json),
    );
    let (handle, error) = match result {
        Ok(client) => (
            Box::into_raw(Box::new(cookiepay_client { client })),
            std::ptr::null_mut(),
        ),
        Err(err) => (std::ptr::null_mut(), error_c(err)),
    };
    if !error_json.is_null() {
        *error_json = error;
    } else if !error.is_null() {
        cookiepay_string_free(error);
    }
    handle
}

/// Called once per HTTP exchange (each attempt of a call) of an observed client, with one JSON
/// object: `{"operation","method","path","status","duration_ms","attempt","outcome",
/// "may_have_taken_effect"}` (`status` null when no answer came; `outcome` "answered" or the error
/// kind). It never carries a body, an error text, the API key, a TOKEN, a BILLKEY or card data.
/// `record_json` is valid only during the call: copy it to keep it.
pub type cookiepay_observer = Option<unsafe extern "C" fn(record_json: *const c_char, user_data: *mut c_void)>;

/// `user_data` crosses threads with the client: the caller vouches for it (see the threading rule).
struct UserData(*mut c_void);
// SAFETY: the library only hands the pointer back to the caller's observer; `cookiepay_client_new_observed`
// requires the observer to accept being called from any thread that uses the client.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

/// `cookiepay_client_new` plus an observer of every HTTP exchange (a logger): registered before the
/// handle exists, so no call can race with it. NULL `observer` = none.
///
/// Threading rule: the observer runs synchronously on the thread that made the client call, inside
/// that call, before it returns (no background thread; after `fork()` the child calls it the same
/// way). Calls from several threads on one client call it concurrently. It must not call this
/// library (a TOKEN fetch may be in progress), must not unwind or longjmp out (catch every exception
/// inside it), and `user_data` must stay valid until `cookiepay_client_free` returns.
///
/// # Safety
/// As `cookiepay_client_new`; `observer` and `user_data` as described above.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_client_new_observed(
    config_json: *const c_char,
    observer: cookiepay_observer,
    user_data: *mut c_void,
    error_json: *mut *mut c_char,
) -> *mut cookiepay_client {
    let user_data = UserData(user_data);
    let client = cookiepay_client_new(config_json, error_json);
    let (Some(observer), Some(handle)) = (observer, client.as_mut()) else {
        return client;
    };
    let observed = guarded(
        || false,
        || {
            handle.client.set_observer(move |exchange| {
                let user_data = &user_data;
                // A panic of ours must not reach the observer's caller frames; the observer's own
                // unwinding is forbidden above.
                let _ = catch_quietly(|| {
                    if let Ok(record) = CString::new(exchange.record_json()) {
                        observer(record.as_ptr(), user_data.0);
                    }
                });
            });
            true
        },
    );
    if !observed {
        cookiepay_client_free(client);
        if !error_json.is_null() {
            *error_json = error_c(internal_error());
        }
        return std::ptr::null_mut();
    }
    client
}

/// Release a client. NULL is ignored. No other thread may use the client during or after this call.
///
/// # Safety
/// `client` is NULL or a pointer from `cookiepay_client_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_client_free(client: *mut cookiepay_client) {
    if client.is_null() {
        return;
    }
    guarded(|| (), || drop(Box::from_raw(client)));
}

/// The shared body of the client calls.
unsafe fn client_call(client: *const cookiepay_client, request_json: *const c_char, op: Operation) -> *mut c_char {
    guarded(
        || error_c(internal_error()),
        || {
            let Some(handle) = client.as_ref() else {
                return error_c(Error::invalid("client is NULL"));
            };
            match text_arg(request_json, "request_json") {
                Ok(request) => to_c(handle.client.call(op, request)),
                Err(err) => error_c(err),
            }
        },
    )
}

/// Get a TOKEN (`{}` or `{"force_refresh":true}`) → `{"TOKEN","expires_at","cached"}`. Cached (per
/// process, shared by clients with the same config) until shortly before it expires.
///
/// # Safety
/// `client` comes from `cookiepay_client_new`; `request_json` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_token(client: *mut cookiepay_client, request_json: *const c_char) -> *mut c_char {
    client_call(client, request_json, Operation::Token)
}

/// Open the payment window: the order fields of the manual's table → `{"html", "ORDERNO", "AMOUNT"}`.
/// Validated before sending; sent exactly once (never retried).
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_ready(client: *mut cookiepay_client, request_json: *const c_char) -> *mut c_char {
    client_call(client, request_json, Operation::Ready)
}

/// Decrypt the ENC_DATA of a return post: `{"ENC_DATA"}` → the payment (`decryptData`).
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_decrypt(client: *mut cookiepay_client, request_json: *const c_char) -> *mut c_char {
    client_call(client, request_json, Operation::Decrypt)
}

/// Look a payment up: `{"tid"}` → the paycert fields.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_paycert(client: *mut cookiepay_client, request_json: *const c_char) -> *mut c_char {
    client_call(client, request_json, Operation::Paycert)
}

/// Verify a payment against the stored order: `{"tid","expected":{"ORDERNO","AMOUNT"}}` → the payment,
/// or `verification_failed` when a field differs or the payment was cancelled.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_verify(client: *mut cookiepay_client, request_json: *const c_char) -> *mut c_char {
    client_call(client, request_json, Operation::Verify)
}

/// Issue a billing key from card data and charge the first payment, optionally registering a
/// recurring schedule (`RECURRENCE_PAY` "Y"): order fields as for cookiepay_ready (no RETURNURL) plus
/// `CARDNO`, `EXPIREDT` (YYMM), `CARDAUTH`, `CARDPWD`, `QUOTA` → every answered field plus
/// `"charged":true` and `"scheduled"` (true, false = charged but the schedule failed: do NOT charge
/// again, or null = none asked for). Card data is checked first (nothing is sent for a bad card) and
/// never appears in any output. Moves money: sent once, never retried.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_billkeygen(
    client: *mut cookiepay_client,
    request_json: *const c_char,
) -> *mut c_char {
    client_call(client, request_json, Operation::Billkeygen)
}

/// Charge a registered schedule now: `{"RESERVE_ID","BILLKEY"}` → the decrypted payment. A declined
/// charge is kind `api` with its code; a cancelled schedule is `api` code `E103`. Moves money: sent
/// once, never retried.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_recurring_charge(
    client: *mut cookiepay_client,
    request_json: *const c_char,
) -> *mut c_char {
    client_call(client, request_json, Operation::RecurringCharge)
}

/// End a recurring schedule: `{"RESERVE_ID"}` → the answer plus `"already_cancelled"` (true for the
/// vendor's E103) and `"cancelled_at"` ("YYYY-MM-DD HH:MM:SS" from an E103 answer, else null).
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_schedule_cancel(
    client: *mut cookiepay_client,
    request_json: *const c_char,
) -> *mut c_char {
    client_call(client, request_json, Operation::ScheduleCancel)
}

/// Dispose of a billing key: `{"BILLKEY"}` → the answer's fields.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_billkey_delete(
    client: *mut cookiepay_client,
    request_json: *const c_char,
) -> *mut c_char {
    client_call(client, request_json, Operation::BillkeyDelete)
}

/// Refund a payment: `{"tid","reason"}` plus optional `"amount"` (partial) and refund account
/// (`"bank"`, `"account_no"`, `"account_name"`) → `cancel_tid, cancel_code, cancel_msg, cancel_date,
/// cancel_amt` and `"already_cancelled"`. Code 9029 (settled: 입금후 취소) is kind `api` with a
/// `hint`. Moves money: sent once, never retried.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_cancel(client: *mut cookiepay_client, request_json: *const c_char) -> *mut c_char {
    client_call(client, request_json, Operation::Cancel)
}

/// Look payments up: `{"tid"}` or `{"from","to"}` (YYYY-MM-DD) → `{"payments":[…]}` (empty when
/// nothing is found).
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_paysearch(
    client: *mut cookiepay_client,
    request_json: *const c_char,
) -> *mut c_char {
    client_call(client, request_json, Operation::Paysearch)
}

/// The receipt (전표) page of a payment: `{"tid"}` → `{"url"}`. No network.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_receipt_url(
    client: *mut cookiepay_client,
    request_json: *const c_char,
) -> *mut c_char {
    client_call(client, request_json, Operation::ReceiptUrl)
}

/// The escape hatch for endpoints this library does not wrap:
/// `{"path":"/api/…","auth":["api_key","token"],"body":{…}}` → `{"status","body"}` (the body parsed
/// when it is JSON, else text). Same transport, TOKEN cache, timeouts and error kinds; never retried.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_request(client: *mut cookiepay_client, request_json: *const c_char) -> *mut c_char {
    client_call(client, request_json, Operation::Request)
}

/// Turn a Noti into CookiePay's facts: `{"body": "<the raw Noti body>"}` → the paycert payment of
/// the Noti's TID plus `kind` ("payment" or "cancel", from paycert) and `dedup_key` (from paycert's
/// fields). Nothing of the body comes back. Kind `noti_not_confirmed` (with `reason`: `no_tid`,
/// `invalid_tid`, `unknown_tid`, `mismatch`, `not_cancelled`) when CookiePay does not back it: act
/// on nothing in it. A read: retried like paycert.
///
/// # Safety
/// As `cookiepay_token`.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_confirm_noti(
    client: *mut cookiepay_client,
    request_json: *const c_char,
) -> *mut c_char {
    client_call(client, request_json, Operation::ConfirmNoti)
}

/// The shared body of the calls that parse a raw body without a client.
unsafe fn body_call(body: *const c_char, parse: fn(&[u8]) -> String) -> *mut c_char {
    guarded(
        || error_c(internal_error()),
        || {
            if body.is_null() {
                return error_c(Error::invalid("the body is NULL"));
            }
            // Bytes, not text: a form body is percent-decoded first, then UTF-8 is checked per field.
            to_c(parse(CStr::from_ptr(body).to_bytes()))
        },
    )
}

/// Parse the raw `application/x-www-form-urlencoded` body posted to RETURNURL. No network, no client.
///
/// # Safety
/// `form_body` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_parse_return(form_body: *const c_char) -> *mut c_char {
    body_call(form_body, parse_return_envelope)
}

/// `cookiepay_parse_return` for a body of `len` bytes that need not end in NUL (what every binding
/// uses: a NUL byte inside the body is refused with `invalid_argument`, never silently cut).
///
/// # Safety
/// `form_body` is NULL (only with `len` 0) or points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_parse_return_len(form_body: *const c_char, len: usize) -> *mut c_char {
    guarded(
        || error_c(internal_error()),
        || {
            if form_body.is_null() {
                return error_c(Error::invalid("the body is NULL"));
            }
            to_c(parse_return_envelope(std::slice::from_raw_parts(
                form_body.cast::<u8>(),
                len,
            )))
        },
    )
}

/// Parse the raw JSON body CookiePay POSTs to the shop's 통지 URL (Noti) → its fields plus `kind`
/// ("payment", "recurring" or "cancel") and `dedup_key` (process each key once). No network, no
/// client. A Noti is unauthenticated: confirm it with cookiepay_confirm_noti before acting on it.
///
/// # Safety
/// `body` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_parse_noti(body: *const c_char) -> *mut c_char {
    body_call(body, parse_noti_envelope)
}

/// Release a string returned by this library. NULL is ignored. Never pass it to free().
///
/// # Safety
/// `s` is NULL or a string returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn cookiepay_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    guarded(|| (), || drop(CString::from_raw(s)));
}

/// The version of this C ABI: raised whenever a function's signature or meaning changes in a way an
/// older binding cannot handle. Each binding checks it when it loads the library.
pub const COOKIEPAY_ABI_VERSION: u32 = 1;

/// The ABI version the loaded library implements (`COOKIEPAY_ABI_VERSION` of its header). A binding
/// built for another version must refuse to use it (an old library under a new package).
#[no_mangle]
pub extern "C" fn cookiepay_abi_version() -> std::ffi::c_uint {
    COOKIEPAY_ABI_VERSION
}

/// The library version, e.g. "0.1.0". Static: do not free.
#[no_mangle]
pub extern "C" fn cookiepay_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_value() {
        let out = guarded(|| "caught", || -> &str { panic!("secret 4111111111111111") });
        assert_eq!(out, "caught");
    }

    #[test]
    fn abi_version_is_exported() {
        assert_eq!(cookiepay_abi_version(), COOKIEPAY_ABI_VERSION);
    }

    #[test]
    fn parse_return_len_refuses_an_inner_nul() {
        let body = b"RESULTCODE=0000\0&ENC_DATA=x";
        unsafe {
            let out = cookiepay_parse_return_len(body.as_ptr().cast(), body.len());
            let text = CStr::from_ptr(out).to_str().unwrap().to_owned();
            cookiepay_string_free(out);
            assert!(text.contains("NUL byte"), "{text}");
            let out = cookiepay_parse_return_len(body.as_ptr().cast(), 15);
            let text = CStr::from_ptr(out).to_str().unwrap().to_owned();
            cookiepay_string_free(out);
            assert!(text.starts_with("{\"ok\":true"), "{text}");
        }
    }

    #[test]
    fn version_matches_cargo() {
        let v = unsafe { CStr::from_ptr(cookiepay_version()) };
        assert_eq!(v.to_str().unwrap(), crate::VERSION);
    }

    #[test]
    fn null_and_bad_utf8_are_invalid_argument() {
        unsafe {
            let out = cookiepay_parse_noti(std::ptr::null());
            let text = CStr::from_ptr(out).to_str().unwrap().to_owned();
            cookiepay_string_free(out);
            assert!(text.contains("invalid_argument"));

            let bad = [0xffu8, 0xfe, 0];
            let mut err = std::ptr::null_mut();
            let client = cookiepay_client_new(bad.as_ptr().cast(), &mut err);
            assert!(client.is_null());
            let text = CStr::from_ptr(err).to_str().unwrap().to_owned();
            cookiepay_string_free(err);
            assert!(text.contains("not valid UTF-8"));

            let out = cookiepay_token(std::ptr::null_mut(), c"{}".as_ptr());
            let text = CStr::from_ptr(out).to_str().unwrap().to_owned();
            cookiepay_string_free(out);
            assert!(text.contains("client is NULL"));
        }
    }
}
