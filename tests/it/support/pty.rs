//! greenq on a real pseudo-terminal (portable-pty): what it draws, read as it comes, and
//! lines typed into it. For what only happens on a terminal: purge's prompt, tail's bar.

use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::{INSTANCE, TOKEN, bin};

/// The pty's width.
const COLS: u16 = 160;

/// The longest wait for the terminal's last bytes after the child exited.
const END_OF_OUTPUT: Duration = Duration::from_secs(5);

pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Arc<(Mutex<String>, Condvar)>,
    reading: super::Gate,
    /// Opened when the reader saw the terminal's end (every writer of it gone).
    ended: super::Gate,
    _master: Box<dyn MasterPty + Send>,
}

impl Pty {
    /// `greenq ARGS` against `base`, with the test instance and token, stdin, stdout and
    /// stderr on one terminal.
    pub fn spawn(base: &str, args: &[&str]) -> Pty {
        let pty = Self::spawn_unread(base, args);
        pty.read();
        pty
    }

    /// As `spawn`, but nothing is read from the terminal until `read`: a stuck terminal,
    /// whose writes block once its buffer is full.
    pub fn spawn_unread(base: &str, args: &[&str]) -> Pty {
        Self::spawn_unread_with(Some(base), args, &[])
    }

    /// As `spawn`, with more variables in the child's environment.
    pub fn spawn_with(base: &str, args: &[&str], env: &[(&str, &str)]) -> Pty {
        let pty = Self::spawn_unread_with(Some(base), args, env);
        pty.read();
        pty
    }

    /// `greenq ARGS` with no instance configured but by `env` (a config file of profiles).
    pub fn spawn_configured_by(env: &[(&str, &str)], args: &[&str]) -> Pty {
        let pty = Self::spawn_unread_with(None, args, env);
        pty.read();
        pty
    }

    fn spawn_unread_with(base: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(bin());
        cmd.env_clear();
        cmd.args(args);
        if let Some(base) = base {
            for (k, v) in [
                ("GREEN_API_URL", base),
                ("GREEN_API_WEBHOOK_URL", base),
                ("GREEN_API_INSTANCE_ID", &INSTANCE.to_string()),
                ("GREEN_API_TOKEN", TOKEN),
            ] {
                cmd.env(k, v);
            }
        }
        for (k, v) in [("NO_PROXY", "*"), ("TERM", "xterm-256color")] {
            cmd.env(k, v);
        }
        cmd.env("XDG_STATE_HOME", super::state_home());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn on the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let output = Arc::new((Mutex::new(String::new()), Condvar::new()));
        let out = output.clone();
        let reading = super::Gate::default();
        let gate = reading.clone();
        let ended = super::Gate::default();
        let end = ended.clone();
        // Read to the end, so that the child never blocks on a full terminal.
        thread::spawn(move || {
            gate.wait();
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                out.0
                    .lock()
                    .expect("lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
                out.1.notify_all();
            }
            end.open();
        });
        Pty {
            child,
            writer,
            output,
            reading,
            ended,
            _master: pair.master,
        }
    }

    /// Starts reading what is drawn (`spawn_unread`).
    pub fn read(&self) {
        self.reading.open();
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the child's pid")
    }

    /// Everything drawn so far.
    pub fn output(&self) -> String {
        self.output.0.lock().expect("lock").clone()
    }

    /// Blocks until the output holds `text`; panics with the output after `limit`.
    pub fn wait_for(&self, text: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut out = self.output.0.lock().expect("lock");
        while !out.contains(text) {
            let now = Instant::now();
            assert!(
                now < deadline,
                "{text:?} not drawn within {limit:?}:\n{out}"
            );
            out = self
                .output
                .1
                .wait_timeout(out, deadline - now)
                .expect("lock")
                .0;
        }
    }

    /// The lines a terminal of the pty's width shows after everything drawn so far, the
    /// scrolled-off ones too (a screen taller than any test's output), trimmed, without
    /// the blank ones: spinners redrawn in place leave only their last state, or nothing.
    pub fn screen(&self) -> Vec<String> {
        let size = |n: u16| std::num::NonZeroU16::new(n).expect("a size above 0");
        let mut parser = vt100::Parser::new(size(2000), size(COLS), 0);
        parser.process(self.output().as_bytes());
        parser
            .screen()
            .rows(0, COLS)
            .map(|row| row.trim_end().to_string())
            .filter(|row| !row.is_empty())
            .collect()
    }

    pub fn type_line(&mut self, line: &str) {
        self.type_raw(&format!("{line}\r"));
    }

    /// Keys as they are, control characters too (`\x03` is Ctrl-C).
    pub fn type_raw(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .expect("type into the pty");
    }

    /// The exit code; kills the child and fails the test after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> u32 {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // What the child wrote last may still be in the terminal: read it to the
                // end (a child of its own still holding the terminal bounds this wait).
                self.ended.wait_for(END_OF_OUTPUT);
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("no exit within {limit:?}:\n{}", self.output());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}
