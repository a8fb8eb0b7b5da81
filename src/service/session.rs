//! What every command that talks to the service gets: the resolved config turned into a
//! client, a status reporter, the Ctrl-C handler, and retry policies.

use std::sync::Arc;

use crate::config::{Config, Credentials};
use crate::secret::Secret;
use crate::service::agent;
use crate::service::client::Client;
use crate::service::retry::{Limit, Retry};
use crate::service::transport::Tracker;
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;
use crate::terminal::tty;

pub struct Session {
    pub config: Config,
    pub client: Client,
    pub status: Arc<Status>,
    pub interrupt: Interrupt,
}

impl Session {
    pub fn new(config: &Config, credentials: Option<Credentials>) -> Session {
        if let Some(c) = &credentials {
            redact_panics(c.token.clone());
            crate::stderr_log::set_instance(c.instance);
        }
        let status = Arc::new(Status::new(config.quiet, config.verbose));
        let (agent, tracker) = agent::build();
        let interrupt = Interrupt::install(Some(agent.clone()));
        // Weak: the handler lives as long as the process, and the session's status must
        // still drop (its drop clears a spinner or bar left on the screen).
        let says = Arc::downgrade(&status);
        interrupt.on_deferred_stop(move || {
            if let Some(status) = says.upgrade() {
                status.line_at_once(
                    "stopping once the work in progress ends; Ctrl-C again exits at once",
                );
            }
        });
        Session::assemble(config, credentials, status, (agent, tracker), interrupt)
    }

    /// One instance's session in a multi-instance tail: its own agent (its own keep-alive
    /// connection), an interrupt the process's handler triggers, a shared or labelled status.
    pub fn child(config: &Config, credentials: Credentials, status: Arc<Status>) -> Session {
        let (agent, tracker) = agent::build_lean();
        let interrupt = Interrupt::with_agent(agent.clone());
        Session::assemble(
            config,
            Some(credentials),
            status,
            (agent, tracker),
            interrupt,
        )
    }

    fn assemble(
        config: &Config,
        credentials: Option<Credentials>,
        status: Arc<Status>,
        agent: (ureq::Agent, Tracker),
        interrupt: Interrupt,
    ) -> Session {
        let client = Client::new(
            agent,
            config,
            credentials,
            status.clone(),
            interrupt.clone(),
        );
        Session {
            config: config.clone(),
            client,
            status,
            interrupt,
        }
    }

    /// A retry policy for this session's calls; its pauses grow until `progress`.
    pub fn retry(&self, limit: Limit) -> Retry<'_> {
        Retry::new(limit, &self.status, &self.interrupt)
    }

    /// Colour for stdout, from `--color`, NO_COLOR and whether it is a terminal.
    pub fn stdout_color(&self) -> bool {
        tty::use_color(self.config.color, tty::stdout_is_terminal())
    }

    /// A spinner, only where someone can see it.
    pub fn spinner(&self, message: &str) {
        if tty::stderr_is_terminal() {
            self.status.spinner(message);
        }
    }
}

/// Even a bug must not print the token: panic messages are redacted.
fn redact_panics(secret: Secret) {
    redact_panics_of(vec![secret]);
}

/// The same for several tokens (a multi-instance tail).
pub fn redact_panics_of(secrets: Vec<Secret>) {
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::ewriteln!(
            "greenq: internal error: {}{place}; this is a bug in greenq, please report it",
            secrets.iter().fold(payload, |text, s| s.redact(&text))
        );
    }));
}
