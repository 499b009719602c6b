//! What every endpoint gets: the client's channel (credentials + transport) and its TOKEN source.
//! Endpoint modules know nothing of `Client`; the client composes a `Context` and hands it over.

use std::sync::Arc;

use serde_json::Value;

use crate::channel::Channel;
use crate::error::{Error, Result};
use crate::token::{may_be_rejection, TokenCache};
use crate::transport::CallKind;

pub struct Context {
    pub channel: Channel,
    pub tokens: Arc<TokenCache>,
}

/// Which TOKEN a call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// Reads: the cached TOKEN; an answer that may mean "TOKEN rejected" refreshes it and asks once
    /// more (at most once per TOKEN, and never for a code the TOKEN learned is a business answer).
    Cached,
    /// Calls that change state (charges, refunds, schedule cancel, billing key disposal): a TOKEN
    /// fetched for this call (as the vendor's own plugin does), so a rejected TOKEN can never be the
    /// reason one failed — and nothing is ever sent twice, not even after an answer that may mean
    /// "TOKEN rejected" (it may as well be a business answer to a request that took effect).
    Fresh,
}

/// Which credentials a TOKEN call carries besides its TOKEN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithKey {
    /// `TOKEN` only (paycert, paysearch).
    No,
    /// `ApiKey` and `TOKEN` (the /Subscribe calls, cancel).
    Yes,
}

/// The result code of an `api` error that may mean a rejected TOKEN.
fn doubtful_code<T>(result: &Result<T>) -> Option<String> {
    match result {
        Err(Error::Api { code, .. }) if may_be_rejection(code) => Some(code.clone()),
        _ => None,
    }
}

impl Context {
    pub fn api_id(&self) -> &str {
        self.channel.api_id()
    }

    pub fn api_key(&self) -> &str {
        self.channel.api_key()
    }

    /// Run `call` with a TOKEN per `usage`. `call` gets the TOKEN's value to put in its headers.
    pub fn with_token<T>(&self, usage: TokenUse, call: impl Fn(&str) -> Result<T>) -> Result<T> {
        let (token, fetched) = self.tokens.get(&self.channel, usage == TokenUse::Fresh)?;
        let result = call(&token.value);
        let Some(code) = doubtful_code(&result) else {
            return result;
        };
        if fetched {
            // A TOKEN fetched just now got this answer: it is the server's answer, not a rejection.
            token.learn_business_code(&code);
            return result;
        }
        if usage == TokenUse::Fresh || token.knows_business_code(&code) || !token.claim_refresh() {
            return result;
        }
        self.tokens.discard(&token);
        let (fresh, _) = self.tokens.get(&self.channel, true)?;
        let retried = call(&fresh.value);
        if let Some(code) = doubtful_code(&retried) {
            fresh.learn_business_code(&code);
        }
        retried
    }

    /// POST a JSON body with a TOKEN (per `usage`) and, if asked, the API key; `accept` turns the
    /// answer into the result — its `api` errors are what the TOKEN policy looks at.
    pub fn post_with_token(
        &self,
        path: &str,
        body: &Value,
        with_key: WithKey,
        usage: TokenUse,
        kind: CallKind,
        accept: impl Fn(Value) -> Result<Value>,
    ) -> Result<Value> {
        self.with_token(usage, |token| {
            let answer = match with_key {
                WithKey::No => self.channel.post_json(path, &[("TOKEN", token)], body, kind)?,
                WithKey::Yes => {
                    self.channel
                        .post_json(path, &[("ApiKey", self.api_key()), ("TOKEN", token)], body, kind)?
                }
            };
            accept(answer)
        })
    }

    /// Scrub this client's API key and cached TOKEN from a text that leaves the library.
    pub fn scrub(&self, text: String) -> String {
        match self.tokens.current_value() {
            Some(token) => self.channel.scrub(text, &[token.as_str()]),
            None => self.channel.scrub(text, &[]),
        }
    }
}
