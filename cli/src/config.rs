//! Where the credentials come from: the environment or one profile of the config file — never argv,
//! and never a mix of the two (so a profile's key can never be sent to an endpoint some shell export
//! chose, and the reverse).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::json;

pub const ENV_API_ID: &str = "COOKIEPAY_API_ID";
pub const ENV_API_KEY: &str = "COOKIEPAY_API_KEY";
pub const ENV_ENV: &str = "COOKIEPAY_ENV";
pub const ENV_BASE_URL: &str = "COOKIEPAY_BASE_URL";
pub const ENV_CA_CERT: &str = "COOKIEPAY_CA_CERT";
pub const ENV_CONFIG: &str = "COOKIEPAY_CONFIG";
pub const ENV_PROFILE: &str = "COOKIEPAY_PROFILE";
pub const ENV_TIMEOUT_MS: &str = "COOKIEPAY_TIMEOUT_MS";

/// A problem with the configuration: exit code 10, nothing was sent.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError(msg.into()))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct Profile {
    api_id: Option<String>,
    api_key: Option<String>,
    env: Option<String>,
    base_url: Option<String>,
    ca_cert: Option<PathBuf>,
    timeout_ms: Option<u64>,
}

/// Where the settings in use came from, for `--verbose` and error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Environment,
    Profile { name: String, path: PathBuf },
}

/// Everything needed to build a core client. Debug hides the key.
pub struct Settings {
    pub api_id: String,
    pub api_key: String,
    /// `Some("sandbox" | "live")` or None when a base URL is given.
    pub env: Option<String>,
    pub base_url: Option<String>,
    pub ca_cert_pem: Option<String>,
    pub timeout_ms: Option<u64>,
    pub source: Source,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("api_id", &self.api_id)
            .field("api_key", &"[REDACTED]")
            .field("env", &self.env)
            .field("base_url", &self.base_url)
            .field("source", &self.source)
            .finish()
    }
}

impl Settings {
    /// The core's config JSON (README "Config").
    pub fn client_json(&self) -> String {
        let mut c = json!({
            "api_id": self.api_id,
            "api_key": self.api_key,
            "binding": format!("cli/{}", env!("CARGO_PKG_VERSION")),
        });
        if let Some(u) = &self.base_url {
            c["base_url"] = json!(u);
        } else if let Some(e) = &self.env {
            c["env"] = json!(e);
        }
        if let Some(p) = &self.ca_cert_pem {
            c["ca_cert_pem"] = json!(p);
        }
        if let Some(t) = self.timeout_ms {
            c["timeout_ms"] = json!(t);
        }
        c.to_string()
    }

    /// Where requests go, for people: the base URL or the environment's name.
    pub fn endpoint(&self) -> String {
        match (&self.base_url, &self.env) {
            (Some(u), _) => u.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => "sandbox".into(),
        }
    }

    /// True when real money moves: prompts say so.
    pub fn is_live(&self) -> bool {
        match &self.base_url {
            Some(u) => u.trim_end_matches('/') == cookiepay::LIVE_URL,
            None => self.env.as_deref() == Some("live"),
        }
    }

    pub fn describe_source(&self) -> String {
        match &self.source {
            Source::Environment => format!("{ENV_API_ID}/{ENV_API_KEY} from the environment"),
            Source::Profile { name, path } => format!("profile \"{name}\" of {}", path.display()),
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `$COOKIEPAY_CONFIG`, else `$XDG_CONFIG_HOME/cookiepay/config.toml`, else `~/.config/cookiepay/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = var(ENV_CONFIG) {
        return Some(PathBuf::from(p));
    }
    if let Some(x) = var("XDG_CONFIG_HOME") {
        return Some(Path::new(&x).join("cookiepay").join("config.toml"));
    }
    var("HOME").map(|h| Path::new(&h).join(".config").join("cookiepay").join("config.toml"))
}

fn read_ca(path: &Path, origin: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "cannot read the CA certificate {} ({origin}): {e}",
            path.display()
        ))
    })
}

fn timeout_from_env() -> Result<Option<u64>, ConfigError> {
    match var(ENV_TIMEOUT_MS) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => err(format!(
                "{ENV_TIMEOUT_MS} must be a whole number of milliseconds, not {v:?}"
            )),
        },
    }
}

/// Pick the credential source. `profile_flag` is `--profile`.
pub fn resolve(profile_flag: Option<&str>) -> Result<Settings, ConfigError> {
    let profile = profile_flag.map(str::to_owned).or_else(|| var(ENV_PROFILE));
    let (id, key) = (var(ENV_API_ID), var(ENV_API_KEY));
    if profile.is_none() {
        match (id, key) {
            (Some(api_id), Some(api_key)) => return from_environment(api_id, api_key),
            (Some(_), None) => return err(format!("{ENV_API_ID} is set but {ENV_API_KEY} is not: set both")),
            (None, Some(_)) => return err(format!("{ENV_API_KEY} is set but {ENV_API_ID} is not: set both")),
            (None, None) => {}
        }
    }
    let Some(path) = config_path() else {
        return err(format!(
            "no credentials: set {ENV_API_ID} and {ENV_API_KEY}, or {ENV_CONFIG} (HOME is not set either)"
        ));
    };
    if !path.exists() {
        return match profile {
            Some(name) => err(format!(
                "profile \"{name}\" asked for, but there is no config file at {}",
                path.display()
            )),
            None => err(format!(
                "no credentials: set {ENV_API_ID} and {ENV_API_KEY} (and {ENV_ENV}=sandbox|live), \
                 or write a profile to {} (chmod 600) — see `cookiepay --help`",
                path.display()
            )),
        };
    }
    from_file(&path, profile.as_deref())
}

fn from_environment(api_id: String, api_key: String) -> Result<Settings, ConfigError> {
    let base_url = var(ENV_BASE_URL);
    let env = var(ENV_ENV);
    if let Some(e) = &env {
        if e != "sandbox" && e != "live" {
            return err(format!("{ENV_ENV} must be sandbox or live, not {e:?}"));
        }
    }
    let ca_cert_pem = match var(ENV_CA_CERT) {
        Some(p) => Some(read_ca(Path::new(&p), ENV_CA_CERT)?),
        None => None,
    };
    Ok(Settings {
        api_id,
        api_key,
        env: if base_url.is_some() {
            None
        } else {
            Some(env.unwrap_or_else(|| "sandbox".into()))
        },
        base_url,
        ca_cert_pem,
        timeout_ms: timeout_from_env()?,
        source: Source::Environment,
    })
}

/// The file's permission bits. Windows has ACLs instead: a file under the user's profile is private
/// by default, so it counts as 0600 there (the README says to keep the file in the profile).
#[cfg(unix)]
fn file_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn file_mode(_meta: &std::fs::Metadata) -> u32 {
    0o600
}

/// Refuse a file others can read or write: it holds API keys.
pub fn check_permissions(path: &Path) -> Result<(), ConfigError> {
    let meta = std::fs::metadata(path).map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return err(format!("{} is not a regular file", path.display()));
    }
    let mode = file_mode(&meta);
    if mode & 0o077 != 0 {
        let who = match (mode & 0o070 != 0, mode & 0o007 != 0) {
            (true, true) => "its group and others",
            (true, false) => "its group",
            _ => "others",
        };
        return err(format!(
            "refusing to read {}: it holds API keys and is readable or writable by {who} (mode {mode:04o}). \
             Fix: chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

fn from_file(path: &Path, profile: Option<&str>) -> Result<Settings, ConfigError> {
    check_permissions(path)?;
    let text =
        std::fs::read_to_string(path).map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
    let file: File = toml::from_str(&text).map_err(|e| {
        // Only toml's message and the line number: its Display quotes the offending line, which may
        // be the api_key line.
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let msg = e.message().lines().next().unwrap_or("").trim().to_string();
        match line {
            Some(line) => ConfigError(format!("{} line {line}: {msg}", path.display())),
            None => ConfigError(format!("{}: {msg}", path.display())),
        }
    })?;
    let name = profile
        .map(str::to_owned)
        .or(file.default_profile.clone())
        .unwrap_or_else(|| "default".into());
    let Some(p) = file.profiles.get(&name).cloned() else {
        let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
        return err(format!(
            "no profile \"{name}\" in {} (profiles there: {})",
            path.display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    };
    let missing = |k: &str| ConfigError(format!("profile \"{name}\" in {} has no {k}", path.display()));
    let api_id = p.api_id.filter(|s| !s.is_empty()).ok_or_else(|| missing("api_id"))?;
    let api_key = p.api_key.filter(|s| !s.is_empty()).ok_or_else(|| missing("api_key"))?;
    if let Some(e) = &p.env {
        if e != "sandbox" && e != "live" {
            return err(format!("profile \"{name}\": env must be sandbox or live, not {e:?}"));
        }
    }
    let ca_cert_pem = match &p.ca_cert {
        Some(c) => Some(read_ca(c, &format!("profile \"{name}\" ca_cert"))?),
        None => None,
    };
    Ok(Settings {
        api_id,
        api_key,
        env: if p.base_url.is_some() {
            None
        } else {
            Some(p.env.unwrap_or_else(|| "sandbox".into()))
        },
        base_url: p.base_url,
        ca_cert_pem,
        timeout_ms: match p.timeout_ms {
            Some(t) => Some(t),
            None => timeout_from_env()?,
        },
        source: Source::Profile {
            name,
            path: path.to_path_buf(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn modes() {
        let dir = std::env::temp_dir().join(format!("cookiepay-cli-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("c.toml");
        std::fs::write(&f, "").unwrap();
        for (mode, ok) in [
            (0o600, true),
            (0o400, true),
            (0o644, false),
            (0o640, false),
            (0o602, false),
        ] {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(check_permissions(&f).is_ok(), ok, "{mode:o}");
        }
        let msg = {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
            check_permissions(&f).unwrap_err().0
        };
        assert!(msg.contains("chmod 600") && msg.contains("0644"), "{msg}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
