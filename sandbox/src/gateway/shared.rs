//! The gateway itself: merchants and their keys, the TOKEN signer, the ledger, the sandbox clock
//! and the notifier — plus the header checks and request prologue every endpoint shares.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::choices as c;
use crate::clock::SandboxClock;
use crate::crypto::{self, JwtSigner, Sealer};
use crate::gateway::ledger::Ledger;
use crate::http::{Request, Response};
use crate::noti::Notifier;
use crate::util::{lock, unix_now};
use crate::wire::{business_error, error_reply, json_body, str_field, ErrorFields};

pub struct MerchantInfo {
    pub api_id: String,
    pub api_key: String,
    pub sealer: Sealer,
}

impl MerchantInfo {
    /// ENC_DATA of a JSON value, for this merchant.
    pub fn seal(&self, v: &Value) -> String {
        self.sealer.seal(&self.api_id, v.to_string().as_bytes())
    }
}

/// How an endpoint authenticates its caller: the `ApiKey` header, the `TOKEN` header, or both
/// (of the same merchant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    Key,
    Token,
    KeyAndToken,
}

pub struct GatewayConfig {
    pub token_lifetime: Duration,
    pub merchants: Vec<(String, String)>,
    pub notifier: Arc<Notifier>,
    pub window_ttl: Duration,
    pub spelling: c::Spelling,
    pub over_long: c::OverLong,
    /// What the sandbox clock reads at start (unix seconds); `None` = real time.
    pub clock_start: Option<u64>,
}

pub struct Gateway {
    pub merchants: HashMap<String, Arc<MerchantInfo>>,
    pub by_key: HashMap<String, Arc<MerchantInfo>>,
    pub signer: Mutex<Arc<JwtSigner>>,
    pub ledger: Mutex<Ledger>,
    pub clock: SandboxClock,
    /// Held while the clock moves and due charges run, so two advances never interleave.
    pub clock_gate: Mutex<()>,
    pub notifier: Arc<Notifier>,
    pub token_lifetime_secs: u64,
    /// Seconds of sandbox-clock time an unsubmitted window stays usable.
    pub window_ttl_secs: u64,
    pub spelling: c::Spelling,
    pub over_long: c::OverLong,
}

impl Gateway {
    pub fn new(cfg: GatewayConfig) -> Result<Gateway, String> {
        let mut merchants = HashMap::new();
        let mut by_key = HashMap::new();
        for (id, key) in cfg.merchants {
            if id.is_empty() || key.is_empty() {
                return Err("merchant api_id and api_key must not be empty".into());
            }
            if id.chars().count() > c::MERCHANT_ID_MAX || key.chars().count() > c::MERCHANT_KEY_MAX {
                return Err(format!(
                    "merchant {id}: api_id is at most {} and api_key at most {} characters",
                    c::MERCHANT_ID_MAX,
                    c::MERCHANT_KEY_MAX
                ));
            }
            let m = Arc::new(MerchantInfo {
                api_id: id.clone(),
                api_key: key.clone(),
                sealer: Sealer::new_random(),
            });
            if merchants.insert(id.clone(), m.clone()).is_some() {
                return Err(format!("merchant {id} listed twice"));
            }
            if by_key.insert(key, m).is_some() {
                return Err(format!("merchant {id}: api_key already used by another merchant"));
            }
        }
        let ms = cfg.token_lifetime.as_millis();
        Ok(Gateway {
            merchants,
            by_key,
            signer: Mutex::new(Arc::new(JwtSigner::new_random())),
            ledger: Mutex::new(Ledger::default()),
            clock: SandboxClock::starting_at(cfg.clock_start),
            clock_gate: Mutex::new(()),
            notifier: cfg.notifier,
            token_lifetime_secs: ms.div_ceil(1000).min(u64::MAX as u128) as u64,
            window_ttl_secs: cfg.window_ttl.as_secs().max(1),
            spelling: cfg.spelling,
            over_long: cfg.over_long,
        })
    }

    /// The merchant's canonical API_ID when `id` names one.
    pub fn merchant_id(&self, id: &str) -> Option<String> {
        self.merchants.get(id).map(|m| m.api_id.clone())
    }

    /// The merchant of the `ApiKey` header (`E003` missing, `E004` unknown).
    pub fn merchant_by_key(&self, req: &Request, fields: ErrorFields) -> Result<Arc<MerchantInfo>, Response> {
        let key = required_header(req, "apikey", "ApiKey", fields)?;
        self.by_key
            .get(key)
            .cloned()
            .ok_or_else(|| business_error(fields, c::E_AUTH))
    }

    /// The merchant a valid `TOKEN` header was issued to (`E003` missing, `E021` invalid).
    pub fn merchant_by_token(&self, req: &Request, fields: ErrorFields) -> Result<Arc<MerchantInfo>, Response> {
        let token = required_header(req, "token", "TOKEN", fields)?;
        let signer = lock(&self.signer).clone();
        signer
            .verify(token, unix_now())
            .and_then(|cl| self.merchants.get(&cl.user).cloned())
            .ok_or_else(|| business_error(fields, c::E_TOKEN))
    }

    /// `ApiKey` and `TOKEN` both present, valid and of the same merchant (`E005` otherwise).
    pub fn merchant_by_key_and_token(&self, req: &Request, fields: ErrorFields) -> Result<Arc<MerchantInfo>, Response> {
        let by_key = self.merchant_by_key(req, fields)?;
        let by_token = self.merchant_by_token(req, fields)?;
        if by_key.api_id != by_token.api_id {
            return Err(business_error(fields, c::E_API_ID_MISMATCH));
        }
        Ok(by_key)
    }

    /// The calling merchant, authenticated as `auth` says.
    fn merchant(&self, req: &Request, auth: Auth, fields: ErrorFields) -> Result<Arc<MerchantInfo>, Response> {
        match auth {
            Auth::Key => self.merchant_by_key(req, fields),
            Auth::Token => self.merchant_by_token(req, fields),
            Auth::KeyAndToken => self.merchant_by_key_and_token(req, fields),
        }
    }

    /// The prologue of a JSON endpoint: the calling merchant (as `auth` says), then the JSON object
    /// body, then — with `api_id_field` — that required field, which must be the merchant's API_ID
    /// (`E005` otherwise). Each failure is the answer to send, in the `fields` convention.
    pub fn authorized(
        &self,
        req: &Request,
        auth: Auth,
        fields: ErrorFields,
        api_id_field: Option<&str>,
    ) -> Result<(Arc<MerchantInfo>, Map<String, Value>), Response> {
        let m = self.merchant(req, auth, fields)?;
        let obj = json_body(req, fields)?;
        if let Some(name) = api_id_field {
            if str_field(&obj, name, fields)? != m.api_id {
                return Err(business_error(fields, c::E_API_ID_MISMATCH));
            }
        }
        Ok((m, obj))
    }

    /// The `user` of a TOKEN without checking it: only for attributing requests in stats.
    pub fn token_user(&self, req: &Request) -> Option<String> {
        req.header("token")
            .and_then(crypto::peek_token_user)
            .and_then(|u| self.merchant_id(&u))
    }

    /// Forgets every record and token, and puts the clock back to its start (real time by default).
    pub fn reset_state(&self) {
        let _gate = lock(&self.clock_gate);
        *lock(&self.ledger) = Ledger::default();
        *lock(&self.signer) = Arc::new(JwtSigner::new_random());
        self.clock.reset();
        self.notifier.clear();
    }

    /// Every issued TOKEN stops verifying.
    pub fn revoke_tokens(&self) {
        *lock(&self.signer) = Arc::new(JwtSigner::new_random());
    }
}

/// A header the endpoint cannot do without (`E003` naming it as `shown` when missing).
fn required_header<'r>(req: &'r Request, lower: &str, shown: &str, fields: ErrorFields) -> Result<&'r str, Response> {
    req.header(lower)
        .ok_or_else(|| error_reply(fields, c::STATUS_BAD_INPUT, c::E_HEADER_MISSING, Some(shown)))
}
