//! The one place greenq writes a line to stderr (`ewriteln!` ends here): as text, or with
//! `--log-format json` as one JSON object per line (`time`, `level`, `message`, and the
//! fields the line names: `instance`, `receiptId`, `attempt`, `delay_s`, `status`), so
//! that journald, Loki or Elastic can read it. Call sites keep writing plain sentences.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// `--log-format`: how stderr lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)
    #[default]
    Text,
    /// One JSON object per line, for a log collector
    Json,
}

static JSON: AtomicBool = AtomicBool::new(false);
/// The instance this process follows (0: none), a field of every JSON line.
static INSTANCE: AtomicU64 = AtomicU64::new(0);

/// Chosen once, before the first line.
pub fn set_format(format: LogFormat) {
    JSON.store(format == LogFormat::Json, Ordering::Relaxed);
}

pub fn is_json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// The instance every JSON line names from now on.
pub fn set_instance(instance: u64) {
    INSTANCE.store(instance, Ordering::Relaxed);
}

/// The fleet member this process is (`tail --coordinate`), a field of every JSON line.
static MEMBER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub fn set_member(member: &str) {
    let _ = MEMBER.set(member.to_string());
}

/// Writes one line; never panics (a closed stderr drops it).
pub fn write_line(args: std::fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = if is_json() {
        let line = args.to_string();
        let mut record = json_record(&line, jiff::Timestamp::now());
        record.push('\n');
        stderr.write_all(record.as_bytes())
    } else {
        writeln!(stderr, "{args}")
    };
}

/// `greenq: warning: x` -> `{"time":..,"level":"warn","message":"x",...}`.
fn json_record(line: &str, now: jiff::Timestamp) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    let rest = line.strip_prefix("greenq: ").unwrap_or(line);
    let (level, message) = if let Some(m) = rest.strip_prefix("error: ") {
        ("error", m)
    } else if let Some(m) = rest.strip_prefix("warning: ") {
        ("warn", m)
    } else if rest.starts_with("internal error: ") {
        ("error", rest)
    } else {
        ("info", rest)
    };
    let mut object = serde_json::Map::new();
    object.insert("time".into(), now.to_string().into());
    object.insert("level".into(), level.into());
    object.insert("message".into(), message.into());
    let instance = INSTANCE.load(Ordering::Relaxed);
    if instance != 0 {
        object.insert("instance".into(), instance.into());
    }
    if let Some(member) = MEMBER.get() {
        object.insert("member".into(), member.as_str().into());
    }
    for (key, value) in fields(message) {
        object.insert(key.into(), value);
    }
    serde_json::Value::Object(object).to_string()
}

/// The fields a sentence names: `receipt 12`, `attempt 2`, `in 4.2 s`, `HTTP 502`.
fn fields(message: &str) -> Vec<(&'static str, serde_json::Value)> {
    let words: Vec<&str> = message.split_whitespace().collect();
    let number = |w: &str| w.trim_end_matches([':', ',', ';', ')']).parse::<u64>().ok();
    let mut out = Vec::new();
    for pair in words.windows(2) {
        let (word, next) = (pair[0], pair[1]);
        let key = match word.trim_start_matches('(') {
            "receipt" if !out.iter().any(|(k, _)| *k == "receiptId") => "receiptId",
            "attempt" if !out.iter().any(|(k, _)| *k == "attempt") => "attempt",
            "HTTP" if !out.iter().any(|(k, _)| *k == "status") => "status",
            _ => continue,
        };
        if let Some(n) = number(next) {
            out.push((key, n.into()));
        }
    }
    // `retrying in 4.2 s`, `next attempt in 1.0 s`, `trying again in 2.0 s`.
    if let Some(i) = words
        .windows(3)
        .position(|w| w[0] == "in" && w[2].starts_with('s'))
        && let Ok(secs) = words[i + 1].parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(secs)
    {
        out.push(("delay_s", n.into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: &str) -> serde_json::Value {
        let now = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        serde_json::from_str(&json_record(line, now)).unwrap()
    }

    #[test]
    fn levels_and_messages_come_from_the_prefix() {
        let r = record("greenq: error: cannot reach host (refused); check --api-url");
        assert_eq!(r["level"], "error");
        assert_eq!(r["message"], "cannot reach host (refused); check --api-url");
        assert_eq!(r["time"], "2023-11-14T22:13:20Z");
        assert_eq!(record("greenq: warning: x")["level"], "warn");
        assert_eq!(record("greenq: 3 printed")["level"], "info");
        assert_eq!(record("greenq: 3 printed")["message"], "3 printed");
    }

    #[test]
    fn fields_named_in_the_sentence_become_fields() {
        let r = record("greenq: retrying in 4.2 s: HTTP 502");
        assert_eq!(r["delay_s"], 4.2);
        assert_eq!(r["status"], 502);
        let r =
            record("greenq: receipt 17: attempt 2 failed: exit status 1; next attempt in 1.9 s");
        assert_eq!(
            (r["receiptId"].as_u64(), r["attempt"].as_u64()),
            (Some(17), Some(2))
        );
        assert_eq!(r["delay_s"], 1.9);
        let r = record("greenq: 1 printed, 0 skipped, 1 deleted, 0 retries, 0.1 s");
        assert!(
            r.get("delay_s").is_none() && r.get("status").is_none(),
            "{r}"
        );
    }
}
