//! Talking to the GREEN-API service: the calls (`client`) over the process's one agent
//! (`agent`, `transport`), what came back (`answer`), what is tried again and when
//! (`retry`, `backoff`; `retry_observer` tells a watcher), what `tail` asks of the queue (`queue`, `pipeline`), and what
//! every command that talks to the service gets (`session`).

pub mod agent;
pub mod answer;
pub mod backoff;
pub mod client;
pub mod depth;
pub mod partner;
pub mod pipeline;
pub mod queue;
pub mod retry;
pub mod retry_observer;
pub mod session;
pub mod transport;
pub mod whole_queue;
