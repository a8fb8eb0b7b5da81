//! Putting one notification where the live service would: nowhere when its kind is switched
//! off, pushed while `webhookUrl` is set (or earlier pushes still wait), else queued. The
//! webhook endpoint and the notifications a send causes go through here alike.

use bytes::Bytes;

use crate::emulator::queue::QueueFull;
use crate::emulator::shared::State;

/// Where a notification went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivered {
    /// Its kind is switched off by this setting: dropped, as on the live service.
    Off(&'static str),
    Pushed,
    Queued(u64),
}

/// The lane or queue that was full, and whether it was the push lane.
pub struct FullLane {
    pub pushed: bool,
}

pub fn deliver(
    state: &State,
    id: u64,
    kind: Option<&str>,
    body: Bytes,
) -> Result<Delivered, FullLane> {
    if let Some(switch) = kind.and_then(|k| state.accounts.switched_off(id, k)) {
        return Ok(Delivered::Off(switch));
    }
    let Some(instance) = state.queues.get(id) else {
        return Err(FullLane { pushed: false });
    };
    let pushed = state.push.busy(id) || state.accounts.webhook(id).is_some();
    let done = if pushed {
        state.push.enqueue(id, body).map(|()| Delivered::Pushed)
    } else {
        instance.push(body).map(Delivered::Queued)
    };
    done.map_err(|QueueFull| FullLane { pushed })
}
