//! What `greenq fleet` reads: the live members, the queues each was given, and each
//! queue's lease (owner, epoch, time left), in two round trips.

use std::collections::BTreeMap;

use redis::Connection;

use crate::fleet::scripts::{self, GIVEN, MEMBERS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueView {
    pub instance: u64,
    pub profile: Option<String>,
    pub owner: Option<String>,
    pub epoch: Option<u64>,
    pub lease_left_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub member: String,
    /// Leases it holds.
    pub queues: usize,
    /// Queues it was given.
    pub given: usize,
}

pub struct View {
    pub queues: Vec<QueueView>,
    pub members: Vec<MemberView>,
}

/// Redis's time (s, µs), the members with their expiry (ms), the queues each was given.
type Snapshot = ((u64, u64), Vec<(String, f64)>, BTreeMap<String, String>);

/// Reads the fleet; `extra` (instance, profile) are queues known from elsewhere (the
/// config file), listed even when no member was given them.
pub fn read(con: &mut Connection, extra: &[(u64, Option<String>)]) -> redis::RedisResult<View> {
    let (time, members, given): Snapshot = redis::pipe()
        .cmd("TIME")
        .cmd("ZRANGE")
        .arg(MEMBERS)
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .cmd("HGETALL")
        .arg(GIVEN)
        .query(con)?;
    let now_ms = time.0 * 1000 + time.1 / 1000;
    let live: Vec<String> = members
        .into_iter()
        .filter(|(_, expiry)| *expiry as u64 > now_ms)
        .map(|(m, _)| m)
        .collect();
    let mut queues: BTreeMap<u64, Option<String>> = BTreeMap::new();
    let mut given_count: BTreeMap<String, usize> = BTreeMap::new();
    for (member, json) in &given {
        if !live.contains(member) {
            continue;
        }
        let list: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
        given_count.insert(member.clone(), list.len());
        for item in list {
            if let Some(instance) = item["instance"].as_u64() {
                let profile = item["profile"].as_str().map(String::from);
                let entry = queues.entry(instance).or_default();
                if entry.is_none() {
                    *entry = profile;
                }
            }
        }
    }
    for (instance, profile) in extra {
        let entry = queues.entry(*instance).or_default();
        if entry.is_none() {
            entry.clone_from(profile);
        }
    }
    let mut pipe = redis::pipe();
    for instance in queues.keys() {
        let key = scripts::lease_key(*instance);
        pipe.cmd("GET").arg(&key).cmd("PTTL").arg(&key);
    }
    let answers: Vec<redis::Value> = if queues.is_empty() {
        Vec::new()
    } else {
        pipe.query(con)?
    };
    let mut owned: BTreeMap<String, usize> = BTreeMap::new();
    let views = queues
        .into_iter()
        .zip(answers.chunks(2))
        .map(|((instance, profile), pair)| {
            let value: Option<String> = pair
                .first()
                .and_then(|v| redis::from_redis_value_ref(v).ok());
            let ttl: Option<i64> = pair
                .get(1)
                .and_then(|v| redis::from_redis_value_ref(v).ok());
            let parsed = value.as_deref().and_then(scripts::parse_value);
            if let Some((_, member)) = parsed {
                *owned.entry(member.to_string()).or_default() += 1;
            }
            QueueView {
                instance,
                profile,
                owner: parsed.map(|(_, m)| m.to_string()),
                epoch: parsed.map(|(e, _)| e),
                lease_left_ms: ttl.filter(|t| *t >= 0).map(|t| t as u64),
            }
        })
        .collect();
    let members = live
        .into_iter()
        .map(|member| MemberView {
            queues: owned.get(&member).copied().unwrap_or(0),
            given: given_count.get(&member).copied().unwrap_or(0),
            member,
        })
        .collect();
    Ok(View {
        queues: views,
        members,
    })
}
