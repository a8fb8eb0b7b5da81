//! Reading a request body up to a limit. A body over the limit is still read to its end
//! (up to a bound) and thrown away: closing while the client is still sending resets the
//! connection, and the client sees a broken pipe instead of its 413.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};

/// Past this much, an oversized body is no longer drained: the connection is closed.
const DRAIN_LIMIT: usize = 64 << 20;

pub enum BodyError {
    /// Longer than the limit; the answer can be sent on a connection that stays usable
    /// when the rest was drained.
    TooLarge,
    /// The connection broke or the body was malformed.
    Broken,
}

/// The whole body when it is at most `limit` bytes long.
pub async fn read_limited(mut body: Incoming, limit: usize) -> Result<Bytes, BodyError> {
    let declared = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
    let mut kept = Vec::with_capacity(declared.min(limit));
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total <= limit {
            kept.extend_from_slice(&data);
        } else if total > DRAIN_LIMIT {
            return Err(BodyError::TooLarge);
        }
    }
    if total > limit {
        return Err(BodyError::TooLarge);
    }
    Ok(Bytes::from(kept))
}
