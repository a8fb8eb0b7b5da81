//! The subcommands, one file each; `failure` turns a failed call into advice that names
//! the flags and variables to check.

pub mod count;
pub mod delete;
pub mod demo;
pub mod demo_many;
pub mod doctor;
pub mod failure;
pub mod fleet;
pub mod profile;
pub mod publish;
pub mod purge;
pub mod receive;
pub mod serve;
pub mod tail;
pub mod tail_many;
pub mod webhook_warning;
