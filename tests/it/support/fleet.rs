//! Many instances at once: one emulator hosting N instances (`serve --accept-file`, and
//! `--partner-token` for imports), and a config file with a profile for each.

use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;

use super::{Emulator, TOKEN, greenq};

/// The partner token of the fleet's emulator.
pub const PARTNER_TOKEN: &str = "partner-S3CRET-77aa01";

/// Instance ids of a fleet: 1101000001, 1101000002, ...
pub fn fleet_id(i: usize) -> u64 {
    1_101_000_000 + i as u64 + 1
}

/// Each instance's token: the test token with the instance's number, so that any output
/// can be searched for `TOKEN`.
pub fn fleet_token(i: usize) -> String {
    format!("{TOKEN}-{i}")
}

pub struct Fleet {
    pub emulator: Emulator,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub size: usize,
}

/// A notification of instance `id` with a sequence number.
pub fn fleet_body(id: u64, seq: usize) -> String {
    serde_json::json!({
        "typeWebhook": "incomingMessageReceived",
        "instanceData": {"idInstance": id, "wid": "79001234567@c.us", "typeInstance": "whatsapp"},
        "timestamp": 1588091580 + seq as i64,
        "idMessage": format!("{id:016X}{seq:016X}"),
        "seq": seq
    })
    .to_string()
}

impl Fleet {
    /// `size` instances on one emulator (empty receives answer after `wait` s), named
    /// "Shop N" for the Partner API, and no config file yet.
    pub fn start(size: usize, wait: u64) -> Fleet {
        Self::start_with(size, wait, &[])
    }

    /// As `start`, with receipt ids from 1 at every start (`--first-receipt 1`).
    pub fn numbered(size: usize, wait: u64) -> Fleet {
        Self::start_with(size, wait, &["--first-receipt", "1"])
    }

    fn start_with(size: usize, wait: u64, extra: &[&str]) -> Fleet {
        let dir = tempfile::tempdir().expect("tempdir");
        let accept = dir.path().join("accept.txt");
        let lines: String = (0..size)
            .map(|i| format!("{}:{} Shop #{}\n", fleet_id(i), fleet_token(i), i + 1))
            .collect();
        std::fs::write(&accept, lines).expect("accept file");
        let wait = wait.to_string();
        let mut args = vec![
            "--wait",
            &wait,
            "--accept-file",
            accept.to_str().expect("path"),
            "--partner-token",
            PARTNER_TOKEN,
        ];
        args.extend_from_slice(extra);
        let emulator = Emulator::start_with(&args);
        let config = dir.path().join("config.toml");
        Fleet {
            emulator,
            dir,
            config,
            size,
        }
    }

    /// Writes a config file with profiles p0, p1, ... whose tokens are in files of
    /// their own (0600); `bad` gets a wrong token.
    pub fn write_profiles(&self, bad: Option<usize>) {
        use std::os::unix::fs::PermissionsExt;
        let mut text = String::from("# the test fleet\n");
        for i in 0..self.size {
            let token_file = self.dir.path().join(format!("token-{i}"));
            let token = if Some(i) == bad {
                format!("{TOKEN}-wrong")
            } else {
                fleet_token(i)
            };
            std::fs::write(&token_file, token).expect("token file");
            std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600))
                .expect("chmod");
            text.push_str(&format!(
                "\n[profiles.p{i}]\napi_url = \"{url}\"\nwebhook_url = \"{url}\"\ninstance = {}\ntoken_file = \"{}\"\n",
                fleet_id(i),
                token_file.display(),
                url = self.emulator.url()
            ));
        }
        std::fs::write(&self.config, text).expect("config");
    }

    /// Writes a config file (0600) with profiles p0, p1, ... whose tokens are in it.
    pub fn write_profiles_inline(&self) {
        use std::os::unix::fs::PermissionsExt;
        let mut text = String::from("# the test fleet, tokens inline\n");
        for i in 0..self.size {
            text.push_str(&format!(
                "\n[profiles.p{i}]\napi_url = \"{url}\"\nwebhook_url = \"{url}\"\ninstance = {}\ntoken = \"{}\"\n",
                fleet_id(i),
                fleet_token(i),
                url = self.emulator.url()
            ));
        }
        std::fs::write(&self.config, text).expect("config");
        std::fs::set_permissions(&self.config, std::fs::Permissions::from_mode(0o600))
            .expect("chmod");
    }

    /// Points profile `i` (its `api_url` and `webhook_url`, as `write_profiles` wrote them) at
    /// another host, e.g. a scripted server that misbehaves for that instance alone.
    pub fn point_profile_at(&self, i: usize, url: &str) {
        let text = std::fs::read_to_string(&self.config).expect("config");
        let at = text
            .find(&format!("[profiles.p{i}]"))
            .expect("the profile's table");
        let (head, table) = text.split_at(at);
        let table = table.replacen(&self.emulator.url(), url, 2);
        std::fs::write(&self.config, format!("{head}{table}")).expect("config");
    }

    /// `greenq` with this fleet's config file and nothing else configured.
    pub fn cmd(&self) -> Command {
        let mut cmd = greenq();
        cmd.env("GREENQ_CONFIG", &self.config);
        cmd
    }

    pub fn std_cmd(&self) -> StdCommand {
        let mut cmd = StdCommand::new(super::bin());
        for var in [
            "GREEN_API_URL",
            "GREEN_API_INSTANCE_ID",
            "GREEN_API_TOKEN",
            "GREENQ_PROFILE",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("GREENQ_CONFIG", &self.config)
            .env("NO_PROXY", "*")
            .stdin(Stdio::null());
        cmd
    }

    /// Publishes `n` numbered notifications to each instance.
    pub fn publish(&self, n: usize) {
        for i in 0..self.size {
            for seq in 0..n {
                assert_eq!(self.emulator.publish(&fleet_body(fleet_id(i), seq)), 200);
            }
        }
    }

    /// Whether instance `i`'s queue is empty (one receive, through greenq).
    pub fn is_empty(&self, i: usize) -> bool {
        let out = self
            .cmd()
            .args(["--profile", &format!("p{i}"), "receive"])
            .output()
            .expect("receive");
        match out.status.code() {
            Some(3) => true,
            Some(0) => false,
            other => panic!(
                "receive of p{i}: {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}

/// The JSON lines of a tail's stdout, grouped by instance in the order they came.
pub fn by_instance(stdout: &[u8]) -> std::collections::BTreeMap<u64, Vec<u64>> {
    let mut map = std::collections::BTreeMap::<u64, Vec<u64>>::new();
    for line in String::from_utf8_lossy(stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let id = v["instanceData"]["idInstance"]
            .as_u64()
            .expect("idInstance");
        map.entry(id)
            .or_default()
            .push(v["seq"].as_u64().expect("seq"));
    }
    map
}
