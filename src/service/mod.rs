//! Talking to the GREEN-API service: the calls (`client`) over the process's one agent
//! (`agent`, `transport`), what came back (`answer`), what is tried again and when
//! (`retry/`), how fast (`pace`), what `tail` asks of the queue (`queue`, `pipeline/`) and
//! how deep it is (`depth`), the queue as a whole (`whole_queue`), the Partner API
//! (`partner`), and what every command that talks to the service gets (`session`).

pub mod agent;
pub mod answer;
pub mod client;
pub mod depth;
pub mod pace;
pub mod partner;
pub mod pipeline;
pub mod queue;
pub mod retry;
pub mod session;
pub mod transport;
pub mod whole_queue;
