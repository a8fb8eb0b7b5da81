//! What `tail` asks of the queue service, with retries: the head, a delete, or a delete
//! with the next receive sent behind it (pipelined, tail's default); and the settings
//! read at start, over the same connection.

use crate::notification::Envelope;
use crate::service::answer::ApiError;
use crate::service::client::Client;
use crate::service::retry::{Repeat, Retry};

pub trait Queue {
    /// The head of the queue (a long poll), or `None` when the wait ended empty. A receive
    /// sent earlier by `delete_then_receive` is the one answered here.
    fn receive(&mut self, retry: &mut Retry) -> Result<Option<Envelope>, ApiError>;

    /// Deletes `receipt`: `true` when deleted, `false` when the service did not know it.
    fn delete(&mut self, retry: &mut Retry, receipt: u64) -> Result<bool, ApiError>;

    /// Deletes `receipt` and, where it can, sends the next receive with it, to be read by
    /// the next `receive`.
    fn delete_then_receive(&mut self, retry: &mut Retry, receipt: u64) -> Result<bool, ApiError> {
        self.delete(retry, receipt)
    }

    /// The instance's settings (`getSettings`), one attempt, on the queue's connection.
    fn settings(&mut self) -> Result<Settings, ApiError>;

    /// The receiveTimeout of the receives sent from now on (`None`: the service's own);
    /// one already sent keeps its own.
    fn set_receive_timeout(&mut self, timeout: Option<u32>);
}

/// A settings object, as the service sends it.
pub type Settings = serde_json::Map<String, serde_json::Value>;

/// One request at a time, through the client's agent.
pub struct Plain<'a> {
    client: &'a Client,
    receive_timeout: Option<u32>,
}

impl<'a> Plain<'a> {
    pub fn new(client: &'a Client, receive_timeout: Option<u32>) -> Self {
        Plain {
            client,
            receive_timeout,
        }
    }
}

impl Queue for Plain<'_> {
    fn receive(&mut self, retry: &mut Retry) -> Result<Option<Envelope>, ApiError> {
        let timeout = self.receive_timeout;
        retry.run(Repeat::Safe, || self.client.receive(timeout))
    }

    fn delete(&mut self, retry: &mut Retry, receipt: u64) -> Result<bool, ApiError> {
        retry.run(Repeat::Safe, || self.client.delete(receipt))
    }

    fn settings(&mut self) -> Result<Settings, ApiError> {
        self.client.get_settings()
    }

    fn set_receive_timeout(&mut self, timeout: Option<u32>) {
        self.receive_timeout = timeout;
    }
}
