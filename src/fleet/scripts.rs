//! What greenq asks of Redis, each one round trip (a Lua script runs whole, alone):
//! `tick` renews all of a member's leases and its registration and takes free leases up
//! to its fair share, `release` gives leases back. Keys: `greenq:lease:{instance}` (value "epoch
//! member", with a TTL), `greenq:epoch` (INCR), `greenq:members` (members by expiry),
//! `greenq:given` (the queues each member was given), `greenq:fresh`.
//!
//! Redis that lost its data (or a new fleet) has no `greenq:epoch`: the first member to
//! see that sets `greenq:fresh` for one TTL, during which nobody takes a lease (an owner
//! from before may still hand on until its own deadline), while every member's renewal
//! raises the count to the highest epoch it knows, so that epochs only grow.

use std::sync::LazyLock;

use redis::{Connection, RedisResult, Script};

pub const MEMBERS: &str = "greenq:members";
pub const GIVEN: &str = "greenq:given";
pub const EPOCH: &str = "greenq:epoch";
pub const FRESH: &str = "greenq:fresh";

pub fn lease_key(instance: u64) -> String {
    format!("greenq:lease:{instance}")
}

/// A lease's value: the epoch, then the member.
pub fn lease_value(epoch: u64, member: &str) -> String {
    format!("{epoch} {member}")
}

/// `(epoch, member)` of a lease's value.
pub fn parse_value(value: &str) -> Option<(u64, &str)> {
    let (epoch, member) = value.split_once(' ')?;
    Some((epoch.parse().ok()?, member))
}

/// Hashed once: sent by its SHA1 (EVALSHA), whole only the first time.
static TICK_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(TICK));

const TICK: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
local floor = tonumber(ARGV[4])
local leases = tonumber(ARGV[5])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, m in ipairs(dead) do redis.call('HDEL', KEYS[2], m) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local new = redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
local epoch = tonumber(redis.call('GET', KEYS[3]) or '-1')
if epoch < 0 then
  redis.call('SET', KEYS[4], '1', 'PX', ttl)
end
if epoch < floor then
  epoch = floor
  redis.call('SET', KEYS[3], epoch)
end
local held = {}
local kept = 0
for i = 1, leases do
  if redis.call('GET', KEYS[4 + i]) == ARGV[6 + i] then
    redis.call('PEXPIRE', KEYS[4 + i], ttl)
    held[i] = 1
    kept = kept + 1
  else
    held[i] = 0
  end
end
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local want = math.ceil(tonumber(ARGV[6]) / math.max(#members, 1)) - kept
local got = {}
if redis.call('PTTL', KEYS[4]) <= 0 then
  for i = 5 + leases, #KEYS do
    if want <= 0 then break end
    if redis.call('EXISTS', KEYS[i]) == 0 then
      epoch = redis.call('INCR', KEYS[3])
      redis.call('SET', KEYS[i], epoch .. ' ' .. ARGV[1], 'PX', ttl)
      got[#got + 1] = i - 4 - leases
      got[#got + 1] = epoch
      want = want - 1
    end
  end
end
return {members, held, new, epoch, got}
";

/// Hashed once: sent by its SHA1 (EVALSHA), whole only the first time.
static RELEASE_SCRIPT: LazyLock<Script> = LazyLock::new(|| Script::new(RELEASE));

const RELEASE: &str = r"
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i] then redis.call('DEL', KEYS[i]) end
end
if ARGV[2] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1
";

/// What a renewal found.
pub struct Ticked {
    /// The live members, this one included.
    pub members: Vec<String>,
    /// Per lease asked about: still ours (and renewed for one more TTL).
    pub held: Vec<bool>,
    /// This member was not registered (new, expired, or Redis lost its data).
    pub registered_anew: bool,
    /// The epoch count now.
    pub epoch: u64,
    /// Leases taken: (index into the candidates, epoch).
    pub got: Vec<(usize, u64)>,
}

/// What one renewal sends.
pub struct Round<'a> {
    pub member: &'a str,
    pub ttl_ms: u64,
    pub given: Option<&'a str>,
    pub floor: u64,
    pub leases: &'a [(u64, u64)],
    /// The queues this member was given (its share is of these).
    pub queues: usize,
    pub candidates: &'a [u64],
}

/// One round trip: registers `member` for one more TTL (with the queues it was given,
/// when `given` is some), drops the expired members, raises the epoch count to `floor`,
/// renews each of `leases` (instance, epoch) still ours, then takes free leases among
/// `candidates` (in order) up to the fair share of `queues`, each with a new epoch;
/// nothing while Redis is fresh.
pub fn tick(con: &mut Connection, round: &Round) -> RedisResult<Ticked> {
    let Round {
        member,
        ttl_ms,
        given,
        floor,
        leases,
        queues,
        candidates,
    } = *round;
    let script = &*TICK_SCRIPT;
    let mut call = script.prepare_invoke();
    call.key(MEMBERS).key(GIVEN).key(EPOCH).key(FRESH);
    call.arg(member)
        .arg(ttl_ms)
        .arg(given.unwrap_or(""))
        .arg(floor)
        .arg(leases.len())
        .arg(queues);
    for (instance, epoch) in leases {
        call.key(lease_key(*instance))
            .arg(lease_value(*epoch, member));
    }
    for instance in candidates {
        call.key(lease_key(*instance));
    }
    let (members, held, new, epoch, got): (Vec<String>, Vec<i64>, i64, i64, Vec<u64>) =
        call.invoke(con)?;
    Ok(Ticked {
        members,
        held: held.into_iter().map(|h| h == 1).collect(),
        registered_anew: new == 1,
        epoch: epoch.max(0) as u64,
        got: got
            .chunks(2)
            .filter_map(|pair| match pair {
                [i, e] => Some(((*i as usize).saturating_sub(1), *e)),
                _ => None,
            })
            .collect(),
    })
}

/// Deletes each of `leases` (instance, epoch) still ours; `leaving`: this member's
/// registration too.
pub fn release(
    con: &mut Connection,
    member: &str,
    leases: &[(u64, u64)],
    leaving: bool,
) -> RedisResult<()> {
    let script = &*RELEASE_SCRIPT;
    let mut call = script.prepare_invoke();
    call.key(MEMBERS).key(GIVEN);
    call.arg(member).arg(if leaving { "1" } else { "0" });
    for (instance, epoch) in leases {
        call.key(lease_key(*instance))
            .arg(lease_value(*epoch, member));
    }
    call.invoke::<i64>(con)?;
    Ok(())
}
