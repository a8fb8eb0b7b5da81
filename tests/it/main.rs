//! greenq's integration tests: one crate, so they link once and run in parallel (as
//! matklad's "Delete Cargo Integration Tests" argues). Each module is a subject; they
//! drive the built binary against the emulator or a scripted server in `support`.
//! One subject: `cargo test --test it tail::`.

mod support;

mod browser;
mod chat;
mod consumer;
mod coordinate;
mod delete;
mod demo;
mod docs;
mod doctor;
mod errors;
mod faults;
mod hardening;
mod layout;
mod log_format;
mod many;
mod metrics;
mod pacing;
mod pipeline;
mod profiles;
mod publish;
mod python_bot;
mod receive;
mod redaction;
mod redis;
mod relay;
mod serve;
mod serve_faults;
mod service;
mod settings;
mod state;
mod tail;
mod terminal;
mod whole_queue;
