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

/// `origin` names where the path came from; the path itself is not quoted (a value from the
/// environment or the file is never echoed: it could be a key pasted in the wrong place).
fn read_ca(path: &Path, origin: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "cannot read the CA certificate file named by {origin}: {}",
            io_reason(&e)
        ))
    })
}

/// An I/O error without the path or value it may carry.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => match e.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code).to_string(),
            None => format!("{:?}", e.kind()),
        },
    }
}

fn timeout_from_env() -> Result<Option<u64>, ConfigError> {
    match var(ENV_TIMEOUT_MS) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) => Ok(Some(n)),
            // The value is not quoted: it could be a key pasted into the wrong variable.
            Err(_) => err(format!(
                "{ENV_TIMEOUT_MS} must be a whole number of milliseconds (its value is not shown)"
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
    let Some(text) = read_private(&path)? else {
        return match profile {
            Some(_) => err(format!(
                "a profile was asked for (--profile or {ENV_PROFILE}), but there is no config file at {}",
                path.display()
            )),
            None => err(format!(
                "no credentials: set {ENV_API_ID} and {ENV_API_KEY} (and {ENV_ENV}=sandbox|live), \
                 or write a profile to {} (chmod 600) — see `cookiepay --help`",
                path.display()
            )),
        };
    };
    from_file(&path, &text, profile.as_deref())
}

fn from_environment(api_id: String, api_key: String) -> Result<Settings, ConfigError> {
    let base_url = var(ENV_BASE_URL);
    let env = var(ENV_ENV);
    if let Some(e) = &env {
        if e != "sandbox" && e != "live" {
            return err(format!("{ENV_ENV} must be sandbox or live (its value is not shown)"));
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

/// Why a config file's metadata makes it unsafe to read, or None. `euid` is the current user.
#[cfg_attr(not(unix), allow(dead_code))]
pub fn unsafe_because(path: &Path, is_file: bool, mode: u32, uid: u32, euid: u32) -> Option<String> {
    if !is_file {
        return Some(format!("{} is not a regular file", path.display()));
    }
    if uid != euid {
        return Some(format!(
            "refusing to read {}: it holds API keys and belongs to another user (uid {uid}). \
             Fix: keep your own copy, chmod 600",
            path.display()
        ));
    }
    let mode = mode & 0o777;
    if mode & 0o077 != 0 {
        let who = match (mode & 0o070 != 0, mode & 0o007 != 0) {
            (true, true) => "its group and others",
            (true, false) => "its group",
            _ => "others",
        };
        return Some(format!(
            "refusing to read {}: it holds API keys and is readable or writable by {who} (mode {mode:04o}). \
             Fix: chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    None
}

/// Opens the config file once — not following a symlink — and checks the open handle (a regular
/// file, the current user's, no group/other bits) before reading it: nothing can be swapped in
/// between the check and the read. `None`: there is no file.
#[cfg(unix)]
pub fn read_private(path: &Path) -> Result<Option<String>, ConfigError> {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let opened = std::fs::OpenOptions::new()
        .read(true)
        // O_NONBLOCK: a FIFO put there cannot hang the open (it then fails the regular-file check).
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path);
    let mut file = match opened {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return err(format!(
                "refusing to read {}: it is a symbolic link (point {ENV_CONFIG} at the file itself)",
                path.display()
            ))
        }
        Err(e) => return err(format!("cannot read {}: {}", path.display(), io_reason(&e))),
    };
    let meta = file
        .metadata()
        .map_err(|e| ConfigError(format!("cannot read {}: {}", path.display(), io_reason(&e))))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if let Some(why) = unsafe_because(path, meta.is_file(), meta.mode(), meta.uid(), euid) {
        return err(why);
    }
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| ConfigError(format!("cannot read {}: {}", path.display(), io_reason(&e))))?;
    Ok(Some(text))
}

/// Windows has ACLs instead of mode bits: a file under the user's profile is private by default
/// (the README says to keep it there).
#[cfg(not(unix))]
pub fn read_private(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => err(format!("cannot read {}: {}", path.display(), io_reason(&e))),
    }
}

/// toml/serde messages quote the offending value (`invalid type: string "…"`), which may be a key:
/// every quoted part that is not one of the file's field names is cut.
fn without_values(msg: &str) -> String {
    const NAMES: [&str; 8] = [
        "default_profile",
        "profiles",
        "api_id",
        "api_key",
        "env",
        "base_url",
        "ca_cert",
        "timeout_ms",
    ];
    let mut out = String::new();
    let mut rest = msg;
    while let Some(i) = rest.find(['`', '"', '\'']) {
        let q = rest[i..].chars().next().unwrap_or('"');
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(q) {
            Some(j) => {
                let inner = &after[..j];
                if NAMES.contains(&inner) {
                    out.push_str(&format!("{q}{inner}{q}"));
                } else {
                    out.push_str("(value not shown)");
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str("(value not shown)");
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn from_file(path: &Path, text: &str, profile: Option<&str>) -> Result<Settings, ConfigError> {
    let file: File = toml::from_str(text).map_err(|e| {
        // Only toml's message and the line number: its Display quotes the offending line, which may
        // be the api_key line.
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let msg = without_values(e.message().lines().next().unwrap_or("").trim());
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
        // The name asked for is not echoed (it may come from the environment); the file's are.
        return err(format!(
            "no such profile in {} (profiles there: {})",
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
            return err(format!(
                "profile \"{name}\": env must be sandbox or live (the value is not shown)"
            ));
        }
    }
    let ca_cert_pem = match &p.ca_cert {
        Some(c) => Some(read_ca(c, &format!("ca_cert of profile \"{name}\""))?),
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
    fn modes_and_owner() {
        let p = Path::new("c.toml");
        for (mode, ok) in [
            (0o600, true),
            (0o400, true),
            (0o644, false),
            (0o640, false),
            (0o602, false),
        ] {
            assert_eq!(unsafe_because(p, true, mode, 7, 7).is_none(), ok, "{mode:o}");
        }
        let msg = unsafe_because(p, true, 0o644, 7, 7).unwrap();
        assert!(msg.contains("chmod 600") && msg.contains("0644"), "{msg}");
        let msg = unsafe_because(p, true, 0o600, 0, 1000).unwrap();
        assert!(msg.contains("another user"), "{msg}");
        assert!(unsafe_because(p, false, 0o600, 7, 7).is_some());
    }

    #[test]
    fn the_open_handle_is_checked_and_symlinks_are_refused() {
        let dir = std::env::temp_dir().join(format!("cookiepay-cli-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("c.toml");
        std::fs::write(&f, "x = 1").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_private(&f).unwrap().as_deref(), Some("x = 1"));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(read_private(&f).unwrap_err().0.contains("chmod 600"));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.join("link.toml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&f, &link).unwrap();
        assert!(read_private(&link).unwrap_err().0.contains("symbolic link"));
        assert!(read_private(&dir.join("missing.toml")).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parse_messages_lose_their_values() {
        assert_eq!(
            without_values("invalid type: string \"sbxkey_abc\", expected u64"),
            "invalid type: string (value not shown), expected u64"
        );
        assert_eq!(
            without_values("unknown field `api_kye`, expected one of `api_id`, `api_key`"),
            "unknown field (value not shown), expected one of `api_id`, `api_key`"
        );
        assert_eq!(
            without_values("invalid type: integer `1234`"),
            "invalid type: integer (value not shown)"
        );
    }
}
