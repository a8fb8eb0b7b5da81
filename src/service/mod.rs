//! Talking to the GREEN-API service: the calls (`client`) over the process's one agent
//! (`agent`, `transport`), what came back (`answer`), what is tried again and when
//! (`retry`, `backoff`), how fast (`pace`), what `tail` asks of the queue (`queue`,
//! `pipeline`), and what every command that talks to the service gets (`session`).

pub mod agent;
pub mod answer;
pub mod backoff;
pub mod client;
pub mod pace;
pub mod pipeline;
pub mod queue;
pub mod retry;
pub mod session;
pub mod transport;
