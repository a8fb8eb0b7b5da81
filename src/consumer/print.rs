//! The printing handler of `tail`: write the notification to stdout and flush it. Done
//! once it was written; a closed pipe stops tail quietly, and the notification whose
//! write failed stays queued.

use std::io::{BufWriter, IsTerminal, StdoutLock, Write};
use std::sync::Arc;

use crate::consumer::handler::{Handler, Outcome};
use crate::exit::Result;
use crate::notification::Envelope;
use crate::terminal::format::Printer;
use crate::terminal::status::Status;

pub struct Print {
    printer: Printer,
    out: BufWriter<StdoutLock<'static>>,
    status: Arc<Status>,
    stdout_terminal: bool,
}

impl Print {
    pub fn new(printer: Printer, status: Arc<Status>) -> Print {
        Print {
            printer,
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
            status,
            stdout_terminal: std::io::stdout().is_terminal(),
        }
    }
}

impl Handler for Print {
    fn handle(&mut self, envelope: &Envelope, _attempt: u32) -> Result<Outcome> {
        let (printer, out) = (&self.printer, &mut self.out);
        let mut write = || {
            printer
                .notification(out, envelope)
                .and_then(|()| out.flush())
        };
        // The bar is lifted only where the two could mix: a drain into a file redraws nothing.
        let written = if self.stdout_terminal {
            self.status.suspend(write)
        } else {
            write()
        };
        Outcome::of_write(written)
    }

    fn name(&self) -> &str {
        "printing"
    }
}
