//! The local journal of money calls (refunds and charges). An entry is written *before* the call is
//! sent and updated with its outcome, so a call whose answer was lost — or whose process was killed
//! mid-call — stays "unknown" and the same call is refused until a person settles it
//! (`cookiepay unknown settle`). CookiePay's API cannot always tell (a partial refund never shows
//! in paycert or search), so resending on a guess could refund or charge twice.
//!
//! One JSON file, `journal.json`, in the state directory; every write is a temp file + fsync +
//! rename under an exclusive lock, created 0600; a symlink in its place is refused. No secret is
//! stored: a BILLKEY only as its mask.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const ENV_STATE_DIR: &str = "COOKIEPAY_STATE_DIR";
const FILE: &str = "journal.json";
const LOCK: &str = "journal.lock";
/// Settled entries kept as history (unsettled ones are always kept).
const KEEP_SETTLED: usize = 500;

#[derive(Debug)]
pub struct JournalError(pub String);

fn fail<T>(msg: impl Into<String>) -> Result<T, JournalError> {
    Err(JournalError(msg.into()))
}

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Written before sending; still there after the call means the process died mid-call.
    Sending,
    /// The answer was lost: it may or may not have taken effect.
    Unknown,
    Applied,
    NotApplied,
}

impl State {
    pub fn unsettled(self) -> bool {
        matches!(self, State::Sending | State::Unknown)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            State::Sending => "sending",
            State::Unknown => "unknown",
            State::Applied => "applied",
            State::NotApplied => "not_applied",
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Entry {
    pub id: u64,
    /// `refund` or `charge`.
    pub call: String,
    /// What makes two calls "the same call": `refund TID AMOUNT|all`, `charge RESERVE_ID`.
    pub identity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// The refund asked for; None = the whole (remaining) payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserve_id: Option<String>,
    /// Masked (`…6789`): the BILLKEY is a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billkey: Option<String>,
    pub api_id: String,
    pub endpoint: String,
    /// Unix seconds.
    pub created: i64,
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<i64>,
    /// `answer` (CookiePay's answer told) or `person` (`cookiepay unknown settle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_by: Option<String>,
    /// The error kind that left the outcome unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Entry {
    pub fn new(call: &str, identity: String, api_id: &str, endpoint: &str) -> Entry {
        Entry {
            id: 0,
            call: call.into(),
            identity,
            tid: None,
            amount: None,
            reserve_id: None,
            billkey: None,
            api_id: api_id.into(),
            endpoint: endpoint.into(),
            created: now(),
            state: State::Sending,
            settled: None,
            settled_by: None,
            error: None,
        }
    }
}

/// The identity of a refund: same TID and same amount (None: the whole remaining payment).
pub fn refund_identity(tid: &str, amount: Option<u64>) -> String {
    match amount {
        Some(a) => format!("refund {tid} {a}"),
        None => format!("refund {tid} all"),
    }
}

/// The identity of a charge: the schedule (charging it again now charges the buyer again).
pub fn charge_identity(reserve_id: &str) -> String {
    format!("charge {reserve_id}")
}

#[derive(Serialize, Deserialize, Default)]
struct Book {
    version: u32,
    next_id: u64,
    entries: Vec<Entry>,
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `$COOKIEPAY_STATE_DIR`, else `$XDG_STATE_HOME/cookiepay`, else `~/.local/state/cookiepay`.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(d) = var(ENV_STATE_DIR) {
        return Some(PathBuf::from(d));
    }
    if let Some(x) = var("XDG_STATE_HOME") {
        return Some(Path::new(&x).join("cookiepay"));
    }
    var("HOME").map(|h| Path::new(&h).join(".local").join("state").join("cookiepay"))
}

pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    /// The journal in the state directory, which is created (0700) when missing.
    pub fn open() -> Result<Journal, JournalError> {
        let Some(dir) = state_dir() else {
            return fail(format!("no state directory: set {ENV_STATE_DIR} or HOME"));
        };
        create_private_dir(&dir)?;
        Ok(Journal { dir })
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// Runs `f` on the journal under the lock; writes it back when `f` says so.
    fn with_book<T>(&self, f: impl FnOnce(&mut Book) -> (bool, T)) -> Result<T, JournalError> {
        let lock =
            open_private(&self.dir.join(LOCK), true)?.ok_or_else(|| JournalError("the lock file vanished".into()))?;
        lock.lock().map_err(|e| self.io_error("lock", e))?;
        let mut book = self.read()?;
        let (changed, out) = f(&mut book);
        if changed {
            prune(&mut book);
            self.write(&book)?;
        }
        Ok(out)
    }

    fn io_error(&self, what: &str, e: std::io::Error) -> JournalError {
        JournalError(format!("cannot {what} the journal in {}: {e}", self.dir.display()))
    }

    fn read(&self) -> Result<Book, JournalError> {
        let Some(mut file) = open_private(&self.path(), false)? else {
            return Ok(Book {
                version: 1,
                ..Default::default()
            });
        };
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(|e| self.io_error("read", e))?;
        serde_json::from_str(&text).map_err(|e| {
            JournalError(format!(
                "{} is damaged ({e}); it may hold refunds or charges whose outcome is unknown, so \
                 nothing is sent until it is repaired or moved aside",
                self.path().display()
            ))
        })
    }

    fn write(&self, book: &Book) -> Result<(), JournalError> {
        let text = serde_json::to_string_pretty(book).map_err(|e| JournalError(e.to_string()))?;
        let tmp = self.dir.join(format!(".{FILE}.tmp{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp); // a leftover of a dead process with the same pid
        let mut file = create_new_private(&tmp).map_err(|e| self.io_error("write", e))?;
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .and_then(|_| std::fs::rename(&tmp, self.path()))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                self.io_error("write", e)
            })?;
        // The rename itself is durable only once the directory is synced.
        #[cfg(unix)]
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// The unsettled entry with this identity, if any.
    pub fn unsettled(&self, identity: &str) -> Result<Option<Entry>, JournalError> {
        self.with_book(|b| (false, find_unsettled(b, identity)))
    }

    /// Records the call as being sent, unless the same call is unsettled: then that entry.
    pub fn begin(&self, mut entry: Entry) -> Result<Result<u64, Entry>, JournalError> {
        self.with_book(|b| {
            if let Some(blocking) = find_unsettled(b, &entry.identity) {
                return (false, Err(blocking));
            }
            b.next_id = b.next_id.max(1);
            entry.id = b.next_id;
            b.next_id += 1;
            entry.state = State::Sending;
            let id = entry.id;
            b.entries.push(entry);
            (true, Ok(id))
        })
    }

    /// The outcome of a call recorded with [`Journal::begin`]; `error` is the kind of a lost answer.
    pub fn finish(&self, id: u64, state: State, error: Option<&str>) -> Result<(), JournalError> {
        self.with_book(|b| match b.entries.iter_mut().find(|e| e.id == id) {
            Some(e) => {
                e.state = state;
                e.error = error.map(str::to_owned);
                if !state.unsettled() {
                    e.settled = Some(now());
                    e.settled_by = Some("answer".into());
                }
                (true, ())
            }
            None => (false, ()),
        })
    }

    /// A person's verdict on an unsettled entry.
    pub fn settle(&self, id: u64, applied: bool) -> Result<Result<Entry, String>, JournalError> {
        self.with_book(|b| match b.entries.iter_mut().find(|e| e.id == id) {
            None => (false, Err(format!("no entry {id} in the journal"))),
            Some(e) if !e.state.unsettled() => (
                false,
                Err(format!("entry {id} is already settled ({})", e.state.as_str())),
            ),
            Some(e) => {
                e.state = if applied { State::Applied } else { State::NotApplied };
                e.settled = Some(now());
                e.settled_by = Some("person".into());
                (true, Ok(e.clone()))
            }
        })
    }

    pub fn entries(&self) -> Result<Vec<Entry>, JournalError> {
        self.with_book(|b| (false, b.entries.clone()))
    }
}

fn find_unsettled(b: &Book, identity: &str) -> Option<Entry> {
    b.entries
        .iter()
        .find(|e| e.identity == identity && e.state.unsettled())
        .cloned()
}

/// Keeps every unsettled entry and the newest settled ones.
fn prune(b: &mut Book) {
    let settled = b.entries.iter().filter(|e| !e.state.unsettled()).count();
    let mut drop = settled.saturating_sub(KEEP_SETTLED);
    b.entries.retain(|e| {
        if drop > 0 && !e.state.unsettled() {
            drop -= 1;
            false
        } else {
            true
        }
    });
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    if let Some(parent) = dir.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return fail(format!("cannot create the state directory {}: {e}", dir.display())),
    }
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| JournalError(format!("cannot use the state directory {}: {e}", dir.display())))?;
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return fail(format!(
            "refusing the state directory {}: it is a symbolic link or not a directory",
            dir.display()
        ));
    }
    if meta.uid() != euid() || meta.mode() & 0o022 != 0 {
        return fail(format!(
            "refusing the state directory {}: it must be yours and writable by you only \
             (Fix: chmod 700 {})",
            dir.display(),
            dir.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| JournalError(format!("cannot create the state directory {}: {e}", dir.display())))
}

#[cfg(unix)]
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Opens `path` without following a symlink and checks the open handle: a regular file, ours,
/// mode 0600 or stricter. `create` makes it (0600) when missing; else a missing file is `None`.
#[cfg(unix)]
fn open_private(path: &Path, create: bool) -> Result<Option<File>, JournalError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let mut o = OpenOptions::new();
    o.read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK);
    if create {
        o.write(true).create(true).mode(0o600);
    }
    let file = match o.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return fail(format!("refusing {}: it is a symbolic link", path.display()))
        }
        Err(e) => return fail(format!("cannot open {}: {e}", path.display())),
    };
    let meta = file
        .metadata()
        .map_err(|e| JournalError(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return fail(format!("refusing {}: not a regular file", path.display()));
    }
    if meta.uid() != euid() || meta.mode() & 0o077 != 0 {
        return fail(format!(
            "refusing {}: it must be yours and private (mode {:04o}; Fix: chmod 600 {})",
            path.display(),
            meta.mode() & 0o7777,
            path.display()
        ));
    }
    Ok(Some(file))
}

#[cfg(not(unix))]
fn open_private(path: &Path, create: bool) -> Result<Option<File>, JournalError> {
    let mut o = OpenOptions::new();
    o.read(true);
    if create {
        o.write(true).create(true);
    }
    match o.open(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => Ok(None),
        Err(e) => fail(format!("cannot open {}: {e}", path.display())),
    }
}

fn create_new_private(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600).custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(identity: &str) -> Entry {
        Entry::new("refund", identity.into(), "id", "sandbox")
    }

    #[test]
    fn pruning_keeps_every_unsettled_entry() {
        let mut b = Book::default();
        for i in 0..(KEEP_SETTLED as u64 + 10) {
            let mut e = entry("x");
            e.id = i;
            e.state = if i % 100 == 0 { State::Unknown } else { State::Applied };
            b.entries.push(e);
        }
        prune(&mut b);
        assert_eq!(b.entries.iter().filter(|e| e.state == State::Unknown).count(), 6);
        assert_eq!(
            b.entries.iter().filter(|e| e.state == State::Applied).count(),
            KEEP_SETTLED
        );
    }

    #[test]
    fn identities() {
        assert_eq!(refund_identity("T1", Some(2000)), "refund T1 2000");
        assert_eq!(refund_identity("T1", None), "refund T1 all");
        assert_ne!(refund_identity("T1", Some(2000)), refund_identity("T1", Some(3000)));
        assert_eq!(charge_identity("R1"), "charge R1");
    }
}
