//! `--dead-letter FILE`: where a notification goes when its attempts ran out. One JSON
//! line per notification, appended, written through to the disk before the notification
//! is deleted: if greenq dies in between, the notification is still queued (a repeat at
//! worst), never in neither place.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::value::RawValue;

use crate::exit::{Error, Result};
use crate::notification::{Envelope, one_line};

pub struct DeadLetter {
    file: File,
    path: PathBuf,
}

/// One line of the file.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(rename = "receiptId")]
    receipt_id: u64,
    #[serde(rename = "typeWebhook", skip_serializing_if = "Option::is_none")]
    type_webhook: Option<&'a str>,
    attempts: u32,
    error: &'a str,
    /// When it was set aside, RFC 3339 in UTC.
    time: String,
    body: &'a RawValue,
}

impl DeadLetter {
    /// Opens (or creates) the file for appending, before anything is received: a path
    /// that cannot be written is a usage error, not a surprise at the first poison.
    pub fn open(path: &Path) -> Result<DeadLetter> {
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| {
                Error::usage(format!(
                    "cannot open the dead-letter file {}",
                    path.display()
                ))
                .why(e.to_string())
                .fix("check --dead-letter: the directory must exist and be writable")
            })?;
        Ok(DeadLetter {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the notification and flushes it to the disk.
    pub fn append(&mut self, envelope: &Envelope, attempts: u32, error: &str) -> Result<()> {
        let kind = envelope.type_webhook();
        // A body with line breaks would break the one-line format: it is compacted (the
        // same JSON); any other body is kept byte for byte.
        let compacted = one_line(envelope.body.get());
        let body: Box<RawValue> = match RawValue::from_string(compacted.into_owned()) {
            Ok(raw) => raw,
            Err(_) => envelope.body.clone(),
        };
        let line = Line {
            receipt_id: envelope.receipt_id,
            type_webhook: kind.as_deref(),
            attempts,
            error,
            time: jiff::Timestamp::now().to_string(),
            body: &body,
        };
        let mut text = serde_json::to_vec(&line).map_err(|e| self.failed(e.into()))?;
        text.push(b'\n');
        self.file
            .write_all(&text)
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| self.failed(e))
    }

    fn failed(&self, e: std::io::Error) -> Error {
        Error::failure(format!(
            "cannot write the dead-letter file {}",
            self.path.display()
        ))
        .why(e.to_string())
        .fix("the notification was not deleted and stays queued; free space or fix the file, then run again")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_appended_whole_with_the_body_as_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dead.ndjson");
        let mut dl = DeadLetter::open(&path).unwrap();
        let e: Envelope = serde_json::from_str(
            r#"{"receiptId":7,"body":{"typeWebhook":"x",
  "n": 1}}"#,
        )
        .unwrap();
        dl.append(&e, 3, "exit status 1").unwrap();
        dl.append(&e, 4, "again").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["receiptId"], 7);
        assert_eq!(lines[0]["typeWebhook"], "x");
        assert_eq!(lines[0]["attempts"], 3);
        assert_eq!(lines[0]["error"], "exit status 1");
        assert_eq!(lines[0]["body"]["n"], 1);
        assert_eq!(lines[1]["attempts"], 4);
    }

    #[test]
    fn an_unwritable_path_is_a_usage_error() {
        let e = DeadLetter::open(Path::new("/nonexistent-dir/x/dead.ndjson"))
            .err()
            .unwrap();
        assert_eq!(e.code.code(), 2);
        assert!(e.to_string().contains("dead-letter"), "{e}");
    }
}
