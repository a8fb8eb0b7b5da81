//! The ledger: an SQLite database (`ledger.sqlite3`, WAL) of the notifications tail
//! handled, each committed before its delete is sent, and marked once its delete was
//! answered. A notification is known by its queue (the API's origin and the instance),
//! its receipt and a fingerprint of its body. It also keeps the `--dedupe` keys, so they
//! hold across runs. Entries older than the queue's 24 h retention, or beyond a count,
//! are pruned.
//!
//! Only one notification can have been handled without its delete being answered: the
//! last one a run recorded for its queue (tail records the next only after the delete of
//! the one before was answered, and one tail at a time holds a queue). If the next run's
//! first notification is that one, the crash came between the two, and it is deleted
//! without being handed on again. Anything else is new, even under an id and body that
//! were handled before: a restarted service that reuses receipt ids starts a new queue.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

use crate::exit::{Error, Result};
use crate::state::dir::StateDir;
use crate::state::fingerprint;
use crate::state::lock::QueueId;

/// The ledger's file in the state directory, shared by the queues that use it.
pub const FILE: &str = "ledger.sqlite3";

/// The queue keeps a notification 24 hours; nothing older can come back.
const RETENTION: Duration = Duration::from_secs(24 * 3600);
/// At most this many rows in each table (a few MiB): a repeat after a crash is the head.
const CAP: i64 = 100_000;
/// Pruned every this many records (and at start).
const PRUNE_EVERY: u32 = 10_000;

/// `handled` is written in order and read back only at start (newest first): a table in
/// the order of recording, so that a record appends to the last page. A queue's last row is
/// found by the index on its instance: without it, a queue with no rows (a new profile, a
/// queue taken over) read the whole table, and 1,000 of them in one start 1,000 times. Small pages: a
/// record writes one to the log, and 1 KiB of log costs a quarter of 4 KiB.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS handled (
    instance   INTEGER NOT NULL,
    receipt    INTEGER NOT NULL,
    body_hash  TEXT    NOT NULL,
    handled_at INTEGER NOT NULL,
    outcome    TEXT    NOT NULL,
    origin     TEXT,
    deleted_at INTEGER
);
CREATE TABLE IF NOT EXISTS dedupe_keys (
    instance   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    handled_at INTEGER NOT NULL,
    PRIMARY KEY (instance, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// Made after `upgrade`: an older ledger's `handled` is copied into a new table there, and
/// an index made before went with the old one.
const INDEXES: &str = "CREATE INDEX IF NOT EXISTS handled_by_instance ON handled (instance);";

/// A queue's last record (found by `handled_by_instance`).
const LAST_ROW: &str = "SELECT receipt, body_hash, deleted_at IS NULL FROM handled \
     WHERE instance = ?1 AND origin = ?2 ORDER BY rowid DESC LIMIT 1";

/// What became of the notification being handled when the ledger failed.
const NOT_RECORDED: &str = "the notification being handled stays queued and is handed on again";
const RECORDED: &str = "the notification being handled was recorded and stays queued";
const NOTHING_RECEIVED: &str = "nothing was received";
const DELETE_NOT_NOTED: &str =
    "the notification handled last was deleted, but the ledger does not say so";

/// How often the whole file is read for damage (`PRAGMA quick_check`, 12 ms for 5 MiB):
/// once a day, at a start; in between, SQLite finds damage where it reads.
const CHECK_EVERY: Duration = Duration::from_secs(24 * 3600);
/// At the end of a run, a log longer than this is written into the file (its fsyncs,
/// once every few hundred runs): the next start reads the whole log.
const CHECKPOINT_AT_END: u64 = 1 << 20;

/// The schema's version (`PRAGMA user_version`). Version 0 keyed `handled` by instance,
/// receipt and body, WITHOUT ROWID: copied over once. Version 2 had no `origin` and
/// `deleted_at`: added, empty (so that none of its rows is taken for one of a queue's).
const VERSION: i64 = 3;
const PAGE_SIZE: i64 = 1024;

/// One connection to a ledger file, opened and checked once: the queues of a
/// multi-instance tail share it (`Opened::ledger`), each with a `Ledger` of its own. A
/// thousand connections to one file cost a thousand opens, checks and write transactions
/// at start, a page cache each, and contend for the file's write lock (each one that
/// waits sleeps in SQLite's busy handler); one connection's callers wait on a mutex.
#[derive(Clone)]
pub struct Opened {
    conn: Arc<Mutex<Conn>>,
    path: PathBuf,
}

pub struct Ledger {
    conn: Arc<Mutex<Conn>>,
    instance: i64,
    origin: String,
    path: PathBuf,
    since_prune: u32,
    /// The queue's last record, when its delete was never answered (receipt, body): read
    /// at start, asked of the run's first notification.
    left: Option<(u64, u128)>,
    /// A delete answered but not yet marked: written with the next record (in its
    /// transaction, no commit of its own) or by `settle`.
    deleted: Option<Deleted>,
    /// The rowid of this connection's last record, and its notification.
    last: Option<(i64, u64, u128)>,
}

/// A delete to mark: of a row this connection wrote (found by its rowid, 1 µs), or of the
/// queue's last row if it is that notification (written by `--exec`'s keeper; the look
/// for it costs some 8 µs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Deleted {
    /// The rowid and the receipt (a rowid pruned and given out again marks nothing).
    Row(i64, u64),
    Last(u64, u128),
}

/// What is recorded of one notification before its delete.
pub struct Entry<'a> {
    pub receipt: u64,
    pub body: u128,
    /// `handled`, `dead-lettered`, `duplicate`, `skipped` or `handled-before` (deleted
    /// without being handed on: the run before handled it and never saw it deleted).
    pub outcome: &'a str,
    /// Its `--dedupe` key, when it was handled under `--dedupe`.
    pub dedupe: Option<u128>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Receipt ids are stored as SQLite's signed integers, bit for bit.
fn signed(n: u64) -> i64 {
    i64::from_ne_bytes(n.to_ne_bytes())
}

impl Opened {
    /// Opens (or creates) the ledger `name` in `dir` and proves it can be written: a
    /// corrupt, unreadable or unwritable ledger is an error here, before anything is
    /// received. The queues' `Ledger`s come from `ledger`.
    pub fn open(dir: &StateDir, name: &str) -> Result<Opened> {
        let path = dir.join(name);
        refuse_if_marked(&path)?;
        let conn = Connection::open(&path)
            .and_then(|conn| {
                conn.busy_timeout(Duration::from_secs(5))?;
                // A new file only: an existing one keeps its pages.
                conn.pragma_update(None, "page_size", PAGE_SIZE)?;
                // WAL: a commit appends to the log.
                into_wal(&conn)?;
                configure(&conn)?;
                conn.execute_batch(SCHEMA)?;
                upgrade(&conn)?;
                conn.execute_batch(INDEXES)?;
                check_daily(&conn)?;
                conn.execute(
                    "INSERT OR REPLACE INTO meta (name, value) VALUES ('opened_at', ?1)",
                    params![now_ms().to_string()],
                )?;
                prune_to(&conn, CAP)?;
                Ok(conn)
            })
            .map_err(|e| opening_error(dir, &path, &e))?;
        Ok(Opened {
            conn: shared(conn, &path),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ledger of `queue`, on this connection: what its last run left undeleted is
    /// read now (one indexed look, so that a queue taken over later starts at once).
    pub fn ledger(&self, dir: &StateDir, queue: &QueueId) -> Result<Ledger> {
        // A queue taken later, on a connection opened before another queue found damage
        // (and stopped on it), is refused as a new open is: its reads cannot be trusted.
        refuse_if_marked(&self.path)?;
        let mut ledger = Ledger::with(self.conn.clone(), &self.path, queue);
        ledger.left = ledger
            .read_left()
            .map_err(|e| opening_error(dir, &self.path, &e))?;
        Ok(ledger)
    }
}

fn lock(conn: &Mutex<Conn>) -> MutexGuard<'_, Conn> {
    // A thread that panicked while holding it left no half-done Rust state: SQLite
    // rolls back a transaction it did not commit.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Ledger {
    /// Opens (or creates) the ledger in `dir` for `queue` and proves it can be written: a
    /// corrupt, unreadable or unwritable ledger is an error here, before anything is
    /// received. `name` is its file in `dir` (`FILE`).
    pub fn open(dir: &StateDir, name: &str, queue: &QueueId) -> Result<Ledger> {
        Opened::open(dir, name)?.ledger(dir, queue)
    }

    fn with(conn: Arc<Mutex<Conn>>, path: &Path, queue: &QueueId) -> Ledger {
        Ledger {
            conn,
            instance: signed(queue.instance),
            origin: queue.origin.clone(),
            path: path.to_path_buf(),
            since_prune: 0,
            left: None,
            deleted: None,
            last: None,
        }
    }

    /// Opens an existing ledger only to record in it: `--exec`'s keeper, which greenq
    /// started after it opened (and checked) the ledger.
    pub fn open_writer(path: &Path, queue: &QueueId) -> Result<Ledger> {
        // Not created: a ledger gone since greenq opened it (moved aside) is an error now,
        // before a command runs, not after.
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let opened = Connection::open_with_flags(path, flags).and_then(|conn| {
            conn.busy_timeout(Duration::from_secs(5))?;
            configure(&conn)?;
            conn.execute_batch("SELECT 1 FROM handled LIMIT 0")?;
            Ok(conn)
        });
        let conn = opened.map_err(|e| {
            Error::failure(format!("cannot open the ledger {}", path.display())).why(e.to_string())
        })?;
        Ok(Ledger::with(shared(conn, path), path, queue))
    }

    /// The connection, for one statement or transaction at a time.
    fn conn(&self) -> MutexGuard<'_, Conn> {
        lock(&self.conn)
    }

    /// Its file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The API origin of the queue its rows are for (`http://127.0.0.1:7700`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The queue's last record, if its delete was never answered.
    fn read_left(&self) -> rusqlite::Result<Option<(u64, u128)>> {
        let last = self
            .conn()
            .query_row(LAST_ROW, params![self.instance, self.origin], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        Ok(last.and_then(|(receipt, hash, undeleted)| {
            // A hash that is not 32 hex digits was not written by greenq: no match.
            let hash = u128::from_str_radix(&hash, 16).ok()?;
            undeleted.then_some((u64::from_ne_bytes(receipt.to_ne_bytes()), hash))
        }))
    }

    /// Whether this notification (receipt and body) is the one an earlier run recorded
    /// last and never saw deleted. Asked of a run's first notification only: once another
    /// was received, that one is gone from the queue (the next after it was shown).
    pub fn was_left_undeleted(&mut self, receipt: u64, body: u128) -> bool {
        self.left.take() == Some((receipt, body))
    }

    /// The queue answered empty: the notification an earlier run left undeleted is gone
    /// from it, and a noted delete is marked now.
    pub fn idle(&mut self) -> Result<()> {
        self.left = None;
        self.settle()
    }

    /// Notes that the delete of the notification recorded last was answered (deleted, or
    /// not found: gone either way). It is marked with the next record, or by `settle`.
    pub fn deleted(&mut self, receipt: u64, body: u128) {
        self.left = None;
        self.deleted = Some(match self.last {
            Some((row, r, b)) if (r, b) == (receipt, body) => Deleted::Row(row, receipt),
            _ => Deleted::Last(receipt, body),
        });
    }

    /// Marks a noted delete now: the queue is idle, the run ends, or the next record is
    /// not this connection's (`--exec`'s keeper writes it).
    pub fn settle(&mut self) -> Result<()> {
        let Some(deleted) = self.deleted else {
            return Ok(());
        };
        self.mark_deleted(&self.conn(), deleted, now_ms())
            .map_err(|e| self.failed("cannot write", &e, DELETE_NOT_NOTED))?;
        self.deleted = None;
        Ok(())
    }

    /// Sets `deleted_at` of the row.
    fn mark_deleted(
        &self,
        conn: &Connection,
        deleted: Deleted,
        now: i64,
    ) -> rusqlite::Result<usize> {
        match deleted {
            Deleted::Row(row, receipt) => conn
                .prepare_cached(
                    "UPDATE handled SET deleted_at = ?1 WHERE rowid = ?2 AND receipt = ?3",
                )?
                .execute(params![now, row, signed(receipt)]),
            Deleted::Last(receipt, body) => conn
                .prepare_cached(
                    "UPDATE handled SET deleted_at = ?1 WHERE rowid = \
                     (SELECT rowid FROM handled WHERE instance = ?2 AND origin = ?3 \
                      ORDER BY rowid DESC LIMIT 1) AND receipt = ?4 AND body_hash = ?5",
                )?
                .execute(params![
                    now,
                    self.instance,
                    self.origin,
                    signed(receipt),
                    fingerprint::hex(body)
                ]),
        }
    }

    /// Records a notification as done, in one transaction, before its delete is sent; a
    /// delete noted since the last record is marked in the same transaction.
    pub fn record(&mut self, entry: &Entry) -> Result<()> {
        let now = now_ms();
        let instance = self.instance;
        let written = (|| {
            // One statement commits by itself; with a mark or a --dedupe key, all go in one.
            let conn = &*self.conn();
            let tx = (self.deleted.is_some() || entry.dedupe.is_some())
                .then(|| conn.unchecked_transaction())
                .transpose()?;
            if let Some(deleted) = self.deleted {
                self.mark_deleted(conn, deleted, now)?;
            }
            conn.prepare_cached(
                "INSERT INTO handled (instance, receipt, body_hash, handled_at, outcome, origin) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                instance,
                signed(entry.receipt),
                fingerprint::hex(entry.body),
                now,
                entry.outcome,
                self.origin
            ])?;
            let row = conn.last_insert_rowid();
            if let Some(key) = entry.dedupe {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO dedupe_keys (instance, key, handled_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![instance, fingerprint::hex(key), now])?;
            }
            tx.map_or(Ok(()), |tx| tx.commit())?;
            Ok(row)
        })();
        let row = written.map_err(|e| self.failed("cannot write", &e, NOT_RECORDED))?;
        self.left = None;
        self.deleted = None;
        self.last = Some((row, entry.receipt, entry.body));
        self.since_prune += 1;
        if self.since_prune >= PRUNE_EVERY {
            self.prune()
                .map_err(|e| self.failed("cannot prune", &e, RECORDED))?;
        }
        Ok(())
    }

    /// The `--dedupe` keys of this instance, newest first, at most `limit`.
    pub fn dedupe_keys(&self, limit: usize) -> Result<Vec<u128>> {
        let read = || -> rusqlite::Result<Vec<u128>> {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT key FROM dedupe_keys WHERE instance = ?1 ORDER BY handled_at DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(
                params![self.instance, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| r.get::<_, String>(0),
            )?;
            let mut keys = Vec::new();
            for key in rows {
                // A key that is not 32 hex digits was not written by greenq: skip it.
                if let Ok(k) = u128::from_str_radix(&key?, 16) {
                    keys.push(k);
                }
            }
            Ok(keys)
        };
        read().map_err(|e| self.failed("cannot read", &e, NOTHING_RECEIVED))
    }

    /// Drops entries past the retention and beyond the cap: `handled` by its order of
    /// recording (the oldest rows come first), `dedupe_keys` by time.
    fn prune(&mut self) -> rusqlite::Result<()> {
        self.prune_to(CAP)
    }

    fn prune_to(&mut self, cap: i64) -> rusqlite::Result<()> {
        self.since_prune = 0;
        prune_to(&self.conn(), cap)
    }

    /// A failed read or write; `fate` says what became of the notification. Damage is
    /// exit 2 (a restart would meet it again: the sample unit does not restart on 2), and
    /// is remembered beside the file for the next start.
    fn failed(&self, doing: &str, e: &rusqlite::Error, fate: &str) -> Error {
        if is_damage(e) {
            let found = format!("found while writing: {e}");
            let _ = std::fs::write(marker(&self.path), &found);
            return damaged(&self.path, &found).fix_prefix(fate);
        }
        Error::failure(format!("{doing} the ledger {}", self.path.display()))
            .why(e.to_string())
            .fix(format!(
                "{fate}; free space or fix the state directory, or run with --no-state"
            ))
    }
}

/// A connection, and its file. Dropped with its last user (the last queue's `Ledger`):
/// a long log is written into the file then, once, so that the next start does not read
/// it whole (and a copy of the file alone holds most of the history).
struct Conn {
    conn: Connection,
    path: PathBuf,
}

impl std::ops::Deref for Conn {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let log = self.path.with_file_name(format!(
            "{}-wal",
            self.path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        ));
        if std::fs::metadata(log).is_ok_and(|m| m.len() > CHECKPOINT_AT_END) {
            let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }
}

fn shared(conn: Connection, path: &Path) -> Arc<Mutex<Conn>> {
    Arc::new(Mutex::new(Conn {
        conn,
        path: path.to_path_buf(),
    }))
}

/// Drops `handled` rows past the retention and beyond `cap` (by the order of recording:
/// the oldest rows come first), and `dedupe_keys` by time.
fn prune_to(conn: &Connection, cap: i64) -> rusqlite::Result<()> {
    let old = now_ms().saturating_sub(i64::try_from(RETENTION.as_millis()).unwrap_or(0));
    // Two ranges of rowids, each found without a scan: beyond the cap, and past the
    // retention (up to the first recent row).
    conn.execute(
        "DELETE FROM handled WHERE rowid <= (SELECT max(rowid) FROM handled) - ?1",
        params![cap],
    )?;
    conn.execute(
        "DELETE FROM handled WHERE rowid < coalesce( \
             (SELECT rowid FROM handled WHERE handled_at >= ?1 ORDER BY rowid LIMIT 1), \
             (SELECT max(rowid) + 1 FROM handled))",
        params![old],
    )?;
    conn.execute(
        "DELETE FROM dedupe_keys WHERE handled_at < ?1 OR handled_at <= \
         (SELECT handled_at FROM dedupe_keys ORDER BY handled_at DESC LIMIT 1 OFFSET ?2)",
        params![old, cap],
    )?;
    Ok(())
}

/// Reads the whole file for damage once a day (`meta.checked_at`).
fn check_daily(conn: &Connection) -> rusqlite::Result<()> {
    let checked: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE name = 'checked_at'",
            [],
            |r| r.get(0),
        )
        .ok();
    let due = checked
        .and_then(|at| at.parse::<i64>().ok())
        .is_none_or(|at| {
            now_ms().saturating_sub(at) > i64::try_from(CHECK_EVERY.as_millis()).unwrap_or(i64::MAX)
        });
    if !due {
        return Ok(());
    }
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(check),
        ));
    }
    conn.execute(
        "INSERT OR REPLACE INTO meta (name, value) VALUES ('checked_at', ?1)",
        params![now_ms().to_string()],
    )?;
    Ok(())
}

/// Damage found while the ledger was in use, by this greenq or another: refused.
fn refuse_if_marked(path: &Path) -> Result<()> {
    match std::fs::read_to_string(marker(path)) {
        Ok(found) => Err(damaged(path, found.trim())),
        Err(_) => Ok(()),
    }
}

/// The file that says a ledger was found damaged while in use.
fn marker(path: &Path) -> PathBuf {
    path.with_file_name(format!(
        "{}-damaged",
        path.file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned())
    ))
}

/// The ledger is damaged: exit 2, and how to set it aside.
fn damaged(path: &Path, why: &str) -> Error {
    Error::usage(format!("the ledger {} is damaged", path.display()))
        .why(why.to_string())
        .fix(move_aside(path))
}

/// Brings a ledger of an older greenq to this schema, once, in one transaction (a tail
/// that opens it at the same time waits, then finds it done).
fn upgrade(conn: &Connection) -> rusqlite::Result<()> {
    let version = |conn: &Connection| -> rusqlite::Result<i64> {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    };
    if version(conn)? >= VERSION {
        return Ok(());
    }
    // Immediate: the write lock first, then the look (another opener may have done it).
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    if version(conn)? < VERSION {
        let keyed: bool = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'handled' AND sql LIKE '%WITHOUT ROWID%'",
            [],
            |r| r.get(0),
        )?;
        if keyed {
            conn.execute_batch(
                "ALTER TABLE handled RENAME TO handled_v0;
                 CREATE TABLE handled (
                     instance   INTEGER NOT NULL,
                     receipt    INTEGER NOT NULL,
                     body_hash  TEXT    NOT NULL,
                     handled_at INTEGER NOT NULL,
                     outcome    TEXT    NOT NULL
                 );
                 INSERT INTO handled (instance, receipt, body_hash, handled_at, outcome)
                     SELECT instance, receipt, body_hash, handled_at, outcome
                     FROM handled_v0 ORDER BY handled_at;
                 DROP TABLE handled_v0;",
            )?;
        }
        let marked: bool = conn.query_row(
            "SELECT count(*) FROM pragma_table_info('handled') WHERE name = 'deleted_at'",
            [],
            |r| r.get(0),
        )?;
        if !marked {
            conn.execute_batch(
                "ALTER TABLE handled ADD COLUMN origin TEXT;
                 ALTER TABLE handled ADD COLUMN deleted_at INTEGER;",
            )?;
        }
        conn.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit()
}

/// What every connection that records sets (these settings are the connection's).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // NORMAL: a commit reaches the kernel before the delete is sent (kill -9 cannot undo
    // it) without an fsync each.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // A checkpoint syncs to the disk: every ~6,000 notifications, not ~800 (the log then
    // grows to 32 MiB, and is cut back to 4 MiB after).
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    conn.pragma_update(None, "journal_size_limit", 4 << 20)?;
    // Pages read through a mapping, not a pread each: the newest rows read at start
    // are some 700 pages (the file is a few MiB at most).
    conn.pragma_update(None, "mmap_size", 64 << 20)?;
    // The log stays between runs, checkpointed as it fills: no fsyncs of the log, the
    // file and the directory at every start and end.
    conn.file_control(Some("main"), rusqlite::FileControl::PersistWal(&mut 1))?;
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    Ok(())
}

/// Switches a ledger to WAL. Switching takes a lock for which SQLite does not wait: two
/// tails (the threads of a multi-instance tail, units started together) creating the same
/// new ledger meet here, and the loser finds it switched already, or tries again.
fn into_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut tries = 0;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && tries < 100 =>
            {
                tries += 1;
                let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                if mode.eq_ignore_ascii_case("wal") {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// How to set a damaged ledger aside: with its log, index and mark (`-wal`, `-shm`,
/// `-damaged`), which a new file of the same name would otherwise take for its own, once
/// every greenq that uses it has stopped (they would go on writing to the moved files).
fn move_aside(path: &Path) -> String {
    let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
    let bad = path.with_file_name(format!("ledger.bad-{stamp}"));
    format!(
        "stop every greenq tail (and greenq-keeper) using it, then move it aside with its -wal, -shm and -damaged files: mkdir {0} && mv {1}* {0}/ (greenq starts a new one, and forgets what it handled); or run with --no-state",
        quoted(&bad),
        quoted(path)
    )
}

/// `path` for a POSIX shell, in single quotes.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// A ledger that cannot be opened: corrupt (move it aside) or unwritable (fix the path).
fn opening_error(dir: &StateDir, path: &std::path::Path, e: &rusqlite::Error) -> Error {
    if is_damage(e) {
        return damaged(path, &e.to_string());
    }
    dir.unusable(&format!("cannot open the ledger {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "tail-test.sqlite3";

    /// The test queue: instance `n` on an emulator's port.
    fn queue(n: u64) -> QueueId {
        QueueId::new("http://127.0.0.1:7700", n)
    }

    fn entry(receipt: u64, body: u128) -> Entry<'static> {
        Entry {
            receipt,
            body,
            outcome: "handled",
            dedupe: None,
        }
    }

    /// Each row's receipt, and whether its delete was marked, oldest first.
    fn rows(ledger: &Ledger) -> Vec<(u64, bool)> {
        let conn = ledger.conn();
        let mut stmt = conn
            .prepare("SELECT receipt, deleted_at IS NOT NULL FROM handled ORDER BY rowid")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    fn dir(tmp: &tempfile::TempDir) -> StateDir {
        StateDir {
            path: tmp.path().to_path_buf(),
            explicit: true,
            origin: "--state-dir",
        }
    }

    #[test]
    fn a_queues_last_record_is_found_by_the_index_not_a_scan() {
        let tmp = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        let conn = ledger.conn();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {LAST_ROW}"))
            .unwrap()
            .query_map(params![7, "x"], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(
            plan.iter()
                .any(|p| p.contains("USING INDEX handled_by_instance")),
            "{plan:?}"
        );
    }

    #[test]
    fn many_instances_open_one_new_ledger_at_once() {
        // A multi-instance tail opens it from a thread per instance; so do units of a
        // systemd template started together with one StateDirectory.
        for _ in 0..20 {
            let tmp = tempfile::tempdir().unwrap();
            let d = dir(&tmp);
            std::thread::scope(|scope| {
                let opened: Vec<_> = (0..8)
                    .map(|i| {
                        let d = &d;
                        scope.spawn(move || Ledger::open(d, NAME, &queue(100 + i)).map(|_| ()))
                    })
                    .collect();
                for o in opened {
                    let result = o.join().unwrap();
                    assert!(result.is_ok(), "{:?}", result.err().map(|e| e.to_string()));
                }
            });
        }
    }

    #[test]
    fn the_last_record_without_an_answered_delete_is_left_undeleted_for_its_queue_only() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        ledger
            .record(&Entry {
                dedupe: Some(99),
                ..entry(1, 11)
            })
            .unwrap();
        drop(ledger);
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert_eq!(ledger.left, Some((1, 11)));
        assert!(
            !ledger.was_left_undeleted(1, 12),
            "same receipt, another body"
        );
        assert!(
            !ledger.was_left_undeleted(1, 11),
            "asked of the run's first notification only"
        );
        assert_eq!(ledger.dedupe_keys(10).unwrap(), vec![99]);
        drop(ledger);
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert!(ledger.was_left_undeleted(1, 11));
        drop(ledger);
        let other = Ledger::open(&dir(&tmp), NAME, &queue(8)).unwrap();
        assert_eq!(other.left, None, "another instance");
        assert!(other.dedupe_keys(10).unwrap().is_empty());
        let port = QueueId::new("http://127.0.0.1:7701", 7);
        let elsewhere = Ledger::open(&dir(&tmp), NAME, &port).unwrap();
        assert_eq!(elsewhere.left, None, "another queue with that instance id");
    }

    #[test]
    fn queues_on_one_shared_connection_mark_and_leave_only_their_own_rows() {
        // A multi-instance tail: two queues on one connection, the same receipt and body
        // in both, and --exec's keeper writing one queue's record on a connection of its own.
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(&tmp);
        let opened = Opened::open(&d, NAME).unwrap();
        let (mut a, mut b) = (
            opened.ledger(&d, &queue(7)).unwrap(),
            opened.ledger(&d, &queue(8)).unwrap(),
        );
        a.record(&entry(1, 11)).unwrap();
        b.record(&entry(1, 11)).unwrap();
        a.deleted(1, 11);
        a.settle().unwrap();
        assert_eq!(rows(&a), [(1, true), (1, false)], "a's row only");
        let keeper = Ledger::open_writer(opened.path(), &queue(8));
        keeper.unwrap().record(&entry(2, 22)).unwrap();
        // b's noted delete of a row the keeper wrote: found as b's last row, not a's.
        a.record(&entry(2, 22)).unwrap();
        b.deleted(2, 22);
        b.settle().unwrap();
        assert_eq!(rows(&a), [(1, true), (1, false), (2, true), (2, false)]);
        drop((a, b));
        let (a, b) = (
            opened.ledger(&d, &queue(7)).unwrap(),
            opened.ledger(&d, &queue(8)).unwrap(),
        );
        assert_eq!(a.left, Some((2, 22)), "a's last delete was never answered");
        assert_eq!(b.left, None, "b's last delete was marked");
    }

    #[test]
    fn an_answered_delete_is_marked_with_the_next_record_or_when_settled() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        ledger.record(&entry(1, 11)).unwrap();
        ledger.deleted(1, 11);
        assert_eq!(rows(&ledger), [(1, false)], "noted, not written yet");
        ledger.record(&entry(2, 22)).unwrap();
        assert_eq!(
            rows(&ledger),
            [(1, true), (2, false)],
            "in the record's commit"
        );
        ledger.deleted(2, 22);
        ledger.settle().unwrap();
        assert_eq!(rows(&ledger), [(1, true), (2, true)]);
        ledger.settle().unwrap();
        drop(ledger);
        // Every delete answered: the same receipts and bodies again are a new queue's.
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert_eq!(ledger.left, None);
        assert!(!ledger.was_left_undeleted(1, 11));
        // A row of this connection's is marked by its rowid, later rows or not.
        ledger.record(&entry(1, 11)).unwrap();
        let mut keeper = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        keeper.record(&entry(3, 33)).unwrap();
        ledger.deleted(1, 11);
        ledger.settle().unwrap();
        // One another connection wrote (--exec's keeper) only if it is the queue's last.
        ledger.deleted(2, 22);
        ledger.settle().unwrap();
        assert_eq!(rows(&ledger), [(1, true), (2, true), (1, true), (3, false)]);
        ledger.deleted(3, 33);
        ledger.settle().unwrap();
        assert_eq!(rows(&ledger), [(1, true), (2, true), (1, true), (3, true)]);
    }

    /// A ledger in `tmp` made by `schema` (an older greenq's), with one row: instance 7,
    /// receipt 3, body 33.
    fn older_ledger(tmp: &tempfile::TempDir, schema: &str) {
        let conn = Connection::open(tmp.path().join(NAME)).unwrap();
        conn.execute_batch(schema).unwrap();
        conn.execute(
            "INSERT INTO handled VALUES (7, 3, ?1, ?2, 'handled')",
            params![fingerprint::hex(33), now_ms()],
        )
        .unwrap();
    }

    #[test]
    fn a_ledger_of_an_older_greenq_is_brought_to_this_schema_keeping_its_rows() {
        let tmp = tempfile::tempdir().unwrap();
        older_ledger(
            &tmp,
            "PRAGMA journal_mode=WAL;
             CREATE TABLE handled (instance INTEGER NOT NULL, receipt INTEGER NOT NULL,
                 body_hash TEXT NOT NULL, handled_at INTEGER NOT NULL, outcome TEXT NOT NULL,
                 PRIMARY KEY (instance, receipt, body_hash)) WITHOUT ROWID;",
        );
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert_eq!(rows(&ledger), [(3, false)], "the old row is kept");
        assert_eq!(
            ledger.left, None,
            "an old row names no queue: never skipped"
        );
        let version: i64 = ledger
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, VERSION);
        let indexed: bool = ledger
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'handled_by_instance' \
                 AND tbl_name = 'handled'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(indexed, "the copied table has the index from its first run");
        ledger.record(&entry(4, 44)).unwrap();
        drop(ledger);
        let ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert_eq!(rows(&ledger), [(3, false), (4, false)]);
        assert_eq!(ledger.left, Some((4, 44)));
    }

    #[test]
    fn a_ledger_of_version_2_gets_its_two_columns_and_keeps_its_rows() {
        let tmp = tempfile::tempdir().unwrap();
        older_ledger(
            &tmp,
            "PRAGMA journal_mode=WAL; PRAGMA user_version=2;
             CREATE TABLE handled (instance INTEGER NOT NULL, receipt INTEGER NOT NULL,
                 body_hash TEXT NOT NULL, handled_at INTEGER NOT NULL, outcome TEXT NOT NULL);",
        );
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert_eq!(ledger.left, None, "a row of version 2 is never skipped");
        ledger.record(&entry(4, 44)).unwrap();
        ledger.deleted(4, 44);
        ledger.settle().unwrap();
        assert_eq!(rows(&ledger), [(3, false), (4, true)]);
    }

    #[test]
    fn a_new_ledger_has_small_pages_and_is_pruned_by_count() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        let page: i64 = ledger
            .conn()
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(page, PAGE_SIZE);
        for receipt in 0..5 {
            ledger.record(&entry(receipt, 1)).unwrap();
        }
        ledger.prune_to(2).unwrap();
        assert_eq!(
            rows(&ledger),
            [(3, false), (4, false)],
            "the newest are kept"
        );
    }

    #[test]
    fn entries_past_the_retention_are_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        ledger
            .conn()
            .execute(
                "INSERT INTO handled (instance, receipt, body_hash, handled_at, outcome) \
                 VALUES (?1, 5, ?2, 0, 'handled')",
                params![ledger.instance, fingerprint::hex(0xaa)],
            )
            .unwrap();
        assert_eq!(rows(&ledger).len(), 1);
        ledger.prune().unwrap();
        assert!(rows(&ledger).is_empty());
    }

    #[test]
    fn a_ledger_whose_pages_were_overwritten_is_named_with_the_fix() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        record_n(&mut ledger, 2000);
        // Into the file itself (the log stays between runs).
        ledger
            .conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        drop(ledger);
        // Every page after the first (the header and the schema) turns to garbage.
        let path = tmp.path().join(NAME);
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 4 * PAGE_SIZE as usize, "{}", bytes.len());
        for b in &mut bytes[PAGE_SIZE as usize..] {
            *b = 0x5a;
        }
        std::fs::write(&path, bytes).unwrap();
        assert_refused_as_damaged(&tmp);
    }

    fn record_n(ledger: &mut Ledger, n: u64) {
        for receipt in 0..n {
            ledger.record(&entry(receipt, u128::from(receipt))).unwrap();
        }
    }

    #[test]
    fn damage_met_while_writing_is_exit_2_and_refused_at_the_next_start() {
        let tmp = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        let e = ledger.failed("cannot write", &corrupt, NOT_RECORDED);
        assert_eq!(e.code.code(), 2, "{e}");
        let text = e.to_string();
        assert!(
            text.contains("is damaged") && text.contains("handed on again"),
            "{text}"
        );
        drop(ledger);
        let e = Ledger::open(&dir(&tmp), NAME, &queue(7)).err().unwrap();
        assert_eq!(e.code.code(), 2);
        assert!(e.to_string().contains("found while writing"), "{e}");
    }

    #[test]
    fn a_queue_taken_on_a_shared_connection_after_damage_was_found_is_refused() {
        // A multi-instance tail's connection, opened before one queue met the damage (a
        // queue taken over later, with --coordinate, comes to it then).
        let tmp = tempfile::tempdir().unwrap();
        let d = dir(&tmp);
        let opened = Opened::open(&d, NAME).unwrap();
        let first = opened.ledger(&d, &queue(7)).unwrap();
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        first.failed("cannot write", &corrupt, NOT_RECORDED);
        let e = opened.ledger(&d, &queue(8)).err().unwrap();
        assert_eq!(e.code.code(), 2);
        assert!(e.to_string().contains("found while writing"), "{e}");
    }

    #[test]
    fn the_whole_file_is_checked_once_a_day() {
        let tmp = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        let at = |l: &Ledger| -> i64 {
            l.conn()
                .query_row(
                    "SELECT value FROM meta WHERE name = 'checked_at'",
                    [],
                    |r| r.get::<_, String>(0),
                )
                .unwrap()
                .parse()
                .unwrap()
        };
        let first = at(&ledger);
        ledger
            .conn()
            .execute("UPDATE meta SET value = '5' WHERE name = 'checked_at'", [])
            .unwrap();
        drop(ledger);
        let ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert!(at(&ledger) >= first, "checked again after a day");
        assert!(first > 5);
    }

    #[test]
    fn the_keeper_does_not_make_a_ledger_that_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(NAME);
        assert!(Ledger::open_writer(&path, &queue(7)).is_err());
        assert!(!path.exists());
        drop(Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap());
        assert!(Ledger::open_writer(&path, &queue(7)).is_ok());
    }

    #[test]
    fn a_long_log_is_written_into_the_file_at_the_end() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        record_n(&mut ledger, 1500);
        let log = tmp.path().join(format!("{NAME}-wal"));
        assert!(std::fs::metadata(&log).unwrap().len() > CHECKPOINT_AT_END);
        drop(ledger);
        assert_eq!(std::fs::metadata(&log).map_or(0, |m| m.len()), 0);
        let ledger = Ledger::open(&dir(&tmp), NAME, &queue(7)).unwrap();
        assert_eq!(ledger.left, Some((1499, 1499)));
    }

    #[test]
    fn a_damaged_file_is_named_with_the_fix() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(NAME), vec![b'x'; 8192]).unwrap();
        assert_refused_as_damaged(&tmp);
    }

    /// Opening the ledger in `tmp` is exit 2, "is damaged", with the move-aside advice.
    fn assert_refused_as_damaged(tmp: &tempfile::TempDir) {
        let e = Ledger::open(&dir(tmp), NAME, &queue(7)).err().unwrap();
        assert_eq!(e.code.code(), 2);
        let text = e.to_string();
        assert!(
            text.contains("is damaged")
                && text.contains("-shm and -damaged")
                && text.contains("ledger.bad-"),
            "{text}"
        );
    }
}
