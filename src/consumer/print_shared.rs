//! The printing handler of a multi-instance tail: each notification is rendered whole,
//! then written and flushed under one lock of stdout, so that the lines of two instances
//! never interleave. JSON lines are the bodies unchanged; pretty and text start with the
//! profile's name.

use std::io::Write;
use std::sync::Arc;

use crate::consumer::handler::{Handler, Outcome};
use crate::exit::{Error, Result};
use crate::notification::Envelope;
use crate::terminal::format::{Format, Printer};
use crate::terminal::status::Status;

pub struct SharedPrint {
    printer: Printer,
    /// `[shop] `, shown before a pretty or text notification; empty for JSON.
    label: String,
    buffer: Vec<u8>,
    status: Arc<Status>,
}

impl SharedPrint {
    pub fn new(
        printer: Printer,
        format: Format,
        color: bool,
        profile: &str,
        status: Arc<Status>,
    ) -> Self {
        let label = match (format, color) {
            (Format::Json, _) => String::new(),
            (_, true) => format!("\x1b[1m[{profile}]\x1b[0m "),
            (_, false) => format!("[{profile}] "),
        };
        SharedPrint {
            printer,
            label,
            buffer: Vec::with_capacity(4096),
            status,
        }
    }
}

impl Handler for SharedPrint {
    fn handle(&mut self, envelope: &Envelope, _attempt: u32) -> Result<Outcome> {
        self.buffer.clear();
        self.buffer.extend_from_slice(self.label.as_bytes());
        self.printer
            .notification(&mut self.buffer, envelope)
            .map_err(Error::output)?;
        // A notification larger than a few KiB keeps its buffer only until the next one.
        let buffer = &self.buffer;
        let written = self.status.suspend(|| {
            let mut out = std::io::stdout().lock();
            out.write_all(buffer).and_then(|()| out.flush())
        });
        if self.buffer.capacity() > 64 * 1024 {
            self.buffer = Vec::with_capacity(4096);
        }
        Outcome::of_write(written)
    }

    fn name(&self) -> &str {
        "printing"
    }
}
