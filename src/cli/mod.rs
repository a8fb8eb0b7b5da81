//! The command-line definition: flags, environment variables, help texts and examples.
//! It knows nothing of HTTP or formatting; `config` turns it into something usable.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

mod consumer;
mod examples;
mod fleet;
mod many;
mod profile;
mod service;
mod state;
mod whole_queue;

pub use consumer::ConsumerArgs;
use examples::*;
pub use fleet::{CoordinateArgs, FleetArgs, FleetFormat};
pub use many::ManyArgs;
pub use profile::{ProfileAction, ProfileAddArgs, ProfileArgs, ProfileImportArgs, ProfileSetArgs};
pub use service::ServiceArgs;
pub use state::StateArgs;
pub use whole_queue::{CountArgs, CountFormat, PurgeArgs};

use crate::stderr_log::LogFormat;
use crate::terminal::format::Format;
use crate::terminal::tty::ColorChoice;

pub const DEFAULT_API_URL: &str = "https://api.green-api.com";
pub const DEFAULT_WEBHOOK_URL: &str = "https://webhook.green-api.com";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7700";

/// The exit-code table, shared by `--help` and the man pages.
macro_rules! exit_codes_help {
    () => {
        "Exit codes:
  0    success
  1    failure (network or service, after retries; another tail holds the queue)
  2    usage error (flags, environment, configuration)
  3    nothing there (empty queue, receipt not found)
  4    credentials rejected (HTTP 401/403)
  5    quota exceeded (HTTP 466)
  65   invalid input data
  130  interrupted (Ctrl-C, SIGTERM)
  A closed stdout (greenq tail | head) ends quietly with 0."
    };
}

pub const EXIT_CODES_HELP: &str = exit_codes_help!();

/// The last line of every subcommand's `-h`, which lists its own options only.
const SHORT_HELP_END: &str = "Examples and details: --help. Global options (--api-url, --profile, -i, -v...): greenq --help.";

/// The environment variables, shared by `--help` and the man pages.
macro_rules! configuration_help {
    () => {
        "Configuration:
  GREEN_API_INSTANCE_ID (or ID_INSTANCE)   instance id, as -i
  GREEN_API_TOKEN (or API_TOKEN_INSTANCE)  apiTokenInstance; or --token-file
  GREEN_API_URL, GREEN_API_WEBHOOK_URL     as --api-url, --webhook-url
  GREENQ_PROFILE                           as --profile (a profile of the config file)
  GREENQ_CONFIG                            the config file [default: ~/.config/greenq/config.toml]
  HTTPS_PROXY, NO_PROXY                    proxy settings, honoured
  NO_COLOR                                 turns colour off (--color wins)
  GREENQ_STATE_DIR, STATE_DIRECTORY,       tail's state directory, as --state-dir
    XDG_STATE_HOME                         (else ~/.local/state/greenq)
  GREENQ_COORDINATE                        tail's Redis URL, as --coordinate (it may hold the password)"
    };
}

pub const CONFIGURATION_HELP: &str = configuration_help!();

const MAIN_AFTER_LONG_HELP: &str = concat!(
    configuration_help!(),
    "

Examples:
  Try it with no account (a local emulator, a few notifications, then tail):
    greenq demo
  Follow your instance's queue (receive, print, delete):
    export GREEN_API_INSTANCE_ID=1101000001 GREEN_API_TOKEN=...
    greenq --api-url https://7103.api.greenapi.com tail
  Take one notification without deleting it, then acknowledge it:
    greenq receive | greenq delete -
  Point greenq at the emulator:
    greenq serve &      # prints the export lines to paste
  Find out why the queue stays empty:
    greenq doctor

",
    exit_codes_help!()
);

/// greenq: follow, publish and acknowledge GREEN-API notification queues.
#[derive(Debug, Parser)]
#[command(
    name = "greenq",
    version,
    about = "Follow, publish and acknowledge GREEN-API notification queues",
    long_about = "Follow, publish and acknowledge GREEN-API notification queues.\n\n\
        greenq reads an instance's notification queue (receiveNotification), acknowledges \
        receipts (deleteNotification) and publishes notifications (the webhook endpoint), \
        with retries, back-off and at-least-once delivery. greenq serve is a local \
        emulator of the queue service.",
    after_help = "Try it with no account: greenq demo. Global options, examples and more: greenq --help.",
    after_long_help = MAIN_AFTER_LONG_HELP,
    arg_required_else_help = true,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten, next_help_heading = "Global options")]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]
    #[arg(long, global = true, hide_short_help = true, value_name = "URL")]
    pub api_url: Option<String>,

    /// Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]
    #[arg(long, global = true, hide_short_help = true, value_name = "URL")]
    pub webhook_url: Option<String>,

    /// Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]
    ///
    /// Profiles are tables [profiles.NAME] of the config file: $GREENQ_CONFIG, else
    /// config.toml in $XDG_CONFIG_HOME/greenq or in ~/.config/greenq. Flags beat the
    /// profile, the profile beats the environment. Example: greenq --profile shop tail
    #[arg(long, global = true, hide_short_help = true, value_name = "NAME")]
    pub profile: Vec<String>,

    /// Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]
    #[arg(short, long, global = true, hide_short_help = true, value_name = "ID")]
    pub instance: Option<String>,

    /// File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]
    ///
    /// No option takes the token itself: a command line is visible to every user of the machine.
    #[arg(long, global = true, hide_short_help = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// When to colour output (NO_COLOR turns auto off)
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub color: ColorChoice,

    /// One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds
    #[arg(
        short,
        long,
        global = true,
        hide_short_help = true,
        conflicts_with = "quiet"
    )]
    pub verbose: bool,

    /// No status lines on stderr (errors and warnings still show)
    #[arg(short, long, global = true, hide_short_help = true)]
    pub quiet: bool,

    /// How stderr lines are written: text, or one JSON object per line (time, level, message, fields)
    ///
    /// json is for a log collector (journald, Loki, Elastic): status lines, retries, warnings,
    /// errors and the summary each become {"time":..,"level":..,"message":..} with the fields
    /// the line names (instance, receiptId, attempt, delay_s, status); no spinner is drawn.
    /// Example: greenq --log-format json tail --exec -- ./bot.py
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        value_name = "FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// Allow http:// to a host other than loopback (the token would cross the network in clear)
    #[arg(long, global = true, hide_short_help = true)]
    pub allow_insecure_http: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Receive one notification (one long poll) and print it; does not delete it
    ///
    /// Waits for the head of the queue and prints its envelope, {"receiptId": ..., "body": {...}}:
    /// indented and coloured on a terminal, one compact line in a pipe. The notification stays
    /// queued until it is deleted (greenq delete, or greenq tail).
    #[command(after_help = SHORT_HELP_END, after_long_help = RECEIVE_EXAMPLES)]
    Receive(ReceiveArgs),

    /// Acknowledge (delete) receipts by id
    ///
    /// Deletes each receipt with deleteNotification, in order. Every id is checked before the
    /// first delete, so one bad id deletes nothing.
    #[command(after_help = SHORT_HELP_END, after_long_help = DELETE_EXAMPLES)]
    Delete(DeleteArgs),

    /// Put notifications into a queue through the webhook endpoint
    ///
    /// Reads one notification, NDJSON or concatenated JSON from FILE or stdin and posts them in
    /// order, one after another. A regular file is checked whole before anything is sent; a pipe,
    /// a terminal or a FIFO is sent as it is read, each notification once it has been checked.
    /// With --text it builds a text message.
    #[command(after_help = SHORT_HELP_END, after_long_help = PUBLISH_EXAMPLES)]
    Publish(PublishArgs),

    /// Print how many notifications wait in the queue (getWebhooksCount)
    ///
    /// The service refreshes this figure once every 10 s, so it may be up to 10 s old.
    #[command(after_help = SHORT_HELP_END, after_long_help = COUNT_EXAMPLES)]
    Count(CountArgs),

    /// Clear the queue: every waiting notification is dropped unread (clearWebhooksQueue)
    ///
    /// On a terminal it shows the count and asks for the instance id to be typed back; without
    /// one it needs --yes. The service allows one clear a minute per instance.
    #[command(after_help = SHORT_HELP_END, after_long_help = PURGE_EXAMPLES)]
    Purge(PurgeArgs),

    /// Follow a queue: receive, print, then delete, in a loop
    ///
    /// Each notification is printed and flushed before it is deleted, so that nothing is lost:
    /// at worst, after a crash or a fault, one is printed again. Bad credentials (exit 4) and
    /// an exhausted quota (exit 5) stop at once.
    #[command(after_help = SHORT_HELP_END, after_long_help = TAIL_EXAMPLES)]
    Tail(TailArgs),

    /// Find out why a queue stays empty: configuration, host, credentials, state, settings
    ///
    /// Checks, in order: the configuration (instance, token source, URLs); the API host (name
    /// resolution, TCP connect, TLS, round trip); the credentials and the instance's state
    /// (getStateInstance); the settings (getSettings: webhookUrl must be empty for the queue to
    /// fill; which notification kinds are on); the webhook endpoint that publish posts to. It
    /// only reads: nothing is published, and the settings are never changed.
    #[command(after_help = SHORT_HELP_END, after_long_help = DOCTOR_EXAMPLES)]
    Doctor(DoctorArgs),

    /// Run a local emulator of the queue service (in memory; nothing is kept when it stops)
    ///
    /// Serves receiveNotification (a long poll), deleteNotification and the webhook POST as the
    /// specification describes them, for one or more instances, on loopback by default; also
    /// getSettings, setSettings and getStateInstance. While an instance's webhookUrl is set, a
    /// published notification is pushed there (POST, Bearer webhookUrlToken) instead of queued.
    #[command(after_help = SHORT_HELP_END, after_long_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),

    /// Start an emulator, publish a few notifications to it, and tail them; needs no account
    ///
    /// The emulator runs inside this process on a free loopback port; URLs, instance and token
    /// from the environment are ignored.
    #[command(after_help = SHORT_HELP_END, after_long_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),

    /// List, add, change, remove and import profiles (instance, token, URLs) of the config file
    ///
    /// A profile is a table [profiles.NAME] of the config file with api_url, webhook_url,
    /// instance, and token_file or token. `--profile NAME` (or GREENQ_PROFILE) uses one; flags
    /// beat the profile, the profile beats the environment.
    #[command(after_help = SHORT_HELP_END, after_long_help = profile::PROFILE_EXAMPLES)]
    Profile(ProfileArgs),

    /// Show who owns what in a fleet of `tail --coordinate` members (read from Redis)
    ///
    /// Lists every queue a member was given, and the config file's profiles: its owner (or
    /// none), the lease's epoch and time left; then the live members with their counts. A
    /// table on a terminal, one JSON object per line in a pipe.
    #[command(after_help = FLEET_EXAMPLES)]
    Fleet(FleetArgs),
}

#[derive(Debug, Args)]
pub struct ReceiveArgs {
    /// Seconds the service may wait for a notification (5..60; sent as receiveTimeout)
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(5..=60))]
    pub receive_timeout: Option<u32>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Receipt ids to delete; - reads them from stdin, one per line (a number, or an envelope as receive prints it)
    #[arg(value_name = "RECEIPT_ID", required = true)]
    pub receipts: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// File with one notification or a stream of them (NDJSON or concatenated JSON); - or nothing reads stdin
    #[arg(value_name = "FILE", conflicts_with = "text")]
    pub file: Option<PathBuf>,

    /// Build an outgoingMessageReceived notification with this text
    #[arg(long, value_name = "TEXT", requires = "chat_id")]
    pub text: Option<String>,

    /// Chat of the built notification (79001234568@c.us; a bare number gets @c.us)
    #[arg(long, value_name = "CHAT", requires = "text")]
    pub chat_id: Option<String>,

    /// Sender name of the built notification
    #[arg(long, value_name = "NAME", requires = "text", default_value = "greenq")]
    pub sender_name: String,

    /// Validate and print what would be sent; send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Send a notification again when its answer was lost (it may then be published twice)
    ///
    /// Without it, a POST is sent again only when it cannot have arrived (no connection, not
    /// fully written, or refused with 429 / 503 + Retry-After); after a lost answer publish
    /// stops and names the notification that may have arrived.
    #[arg(long)]
    pub at_least_once: bool,
    /// Send each notification as soon as it is read and checked [default for a pipe, a terminal, a FIFO]
    ///
    /// For a live relay such as `greenq tail | greenq publish -`. An invalid notification stops
    /// the stream (exit 65): those before it were sent, nothing after it is.
    /// Example: greenq publish --stream - < growing.ndjson
    #[arg(long, conflicts_with_all = ["text", "check_first"])]
    pub stream: bool,

    /// Check every notification before sending any [default for a regular file, and for `- < FILE`]
    ///
    /// Example: some-generator | greenq publish --check-first -
    #[arg(long, conflicts_with = "text")]
    pub check_first: bool,
}

#[derive(Debug, Args)]
pub struct TailArgs {
    /// Stop after N were printed (or handled: --exec, --forward-to)
    ///
    /// Counts notifications printed, or handled with --exec or --forward-to.
    /// Example: greenq tail -n 10 > ten.ndjson
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Stop when a receive ends with no notification
    ///
    /// On a terminal, over a backlog, a bar shows done/total (getWebhooksCount), rate and time
    /// left; once that count says the backlog is consumed, the last receive asks for the
    /// shortest long poll (5 s; --receive-timeout sets another). Example: greenq tail -e
    /// --format json > backup.ndjson
    #[arg(short, long)]
    pub exit_on_empty: bool,

    /// Only this typeWebhook (repeatable); OTHERS ARE DELETED UNPRINTED
    ///
    /// Other types are deleted unprinted, and counted as skipped.
    /// Only types greenq knows are accepted (a misspelt name would delete everything):
    /// incomingMessageReceived, outgoingMessageReceived, outgoingAPIMessageReceived,
    /// outgoingMessageStatus, stateInstanceChanged, incomingCall, quotaExceeded, deviceInfo,
    /// statusInstanceChanged, incomingBlock.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,

    /// Accept a --type greenq does not know (a new type of the service)
    #[arg(long, requires = "types")]
    pub allow_unknown_type: bool,

    /// Seconds a receive may wait (5..60; sent as receiveTimeout)
    ///
    /// How long the service may hold a receive open while the queue is empty.
    /// Example: greenq tail --receive-timeout 60
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(5..=60))]
    pub receive_timeout: Option<u32>,

    /// Output format [default: pretty on a terminal, json in a pipe]
    ///
    /// With --forward-to, the form of the one line per delivery: json, else text.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// One request at a time: two round trips per notification
    ///
    /// Sends each delete and the next receive one after the other. By default each delete goes out with the next receive in one write on one connection
    /// (HTTP/1.1 pipelining): one round trip per notification. Example: greenq tail --no-pipeline
    #[arg(long)]
    pub no_pipeline: bool,

    /// Pipelining is the default now; accepted so that older scripts still run
    #[arg(long, hide = true, conflicts_with = "no_pipeline")]
    pub pipeline: bool,

    /// At most N requests a second of each method, from the start
    ///
    /// Each of receive and delete is paced to N a second.
    ///
    /// Without it nothing is paced until the service answers 429; then that method goes at
    /// about 90 % of the rate that drew it, creeping up slowly. Example: greenq tail --max-rate 50
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_rate: Option<u32>,
    #[command(flatten)]
    pub consumer: ConsumerArgs,
    #[command(flatten)]
    pub service: ServiceArgs,
    #[command(flatten)]
    pub many: ManyArgs,
    #[command(flatten)]
    pub state: StateArgs,
    #[command(flatten)]
    pub fleet: CoordinateArgs,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Output format: a line per check, or one JSON object with every check
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub format: DoctorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    /// One line per check: a mark (check marks on a terminal; ok, FAIL, warn in a pipe), what was found, what to do
    Text,
    /// One JSON object: {"ok", "exit", "checks": [{"name", "status", "found", "fix", "data"}]}
    Json,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output format [default: pretty on a terminal, json in a pipe]
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Emulate this many instances and follow them all in one tail (1..100)
    ///
    /// Example: greenq demo --instances 3 --format text
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub instances: u64,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: String,

    /// Host this instance with this token (repeatable) [default: the configured instance, else a demo one]
    #[arg(long, value_name = "ID:TOKEN")]
    pub accept: Vec<String>,

    /// Host the instances of FILE too: one ID:TOKEN a line, a name after a space may follow
    ///
    /// Blank lines and lines starting with # are skipped. Example: --accept-file instances.txt
    #[arg(long, value_name = "FILE")]
    pub accept_file: Option<PathBuf>,

    /// Serve the Partner API's getInstances for every hosted instance, with this partner token
    ///
    /// GET /partner/getInstances/T lists them (idInstance, name, apiTokenInstance, ...); a wrong
    /// token is answered 200 with {"code": 401, ...}, as the live service does.
    /// Example: greenq serve --accept-file instances.txt --partner-token test-partner
    #[arg(long, value_name = "T")]
    pub partner_token: Option<String>,

    /// The first receipt id of every hosted queue [default: the start's time in microseconds]
    ///
    /// The live service never reuses a receipt id, and by default neither does a restarted
    /// emulator: its ids start above the last start's. A fixed start gives every run the same
    /// ids, for tests that compare them; the ledger of a tail still tells a new queue's
    /// notifications from ones it handled. Example: --first-receipt 1
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=crate::notification::MAX_EXACT_RECEIPT))]
    pub first_receipt: Option<u64>,

    /// Seconds a receive waits when it sends no receiveTimeout (0..60)
    #[arg(long, value_name = "SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=60))]
    pub wait: u64,

    /// State every hosted instance reports (getStateInstance); `starting` refuses the queue's methods with 400
    #[arg(long, value_name = "STATE", default_value = "authorized", value_parser = INSTANCE_STATES)]
    pub instance_state: String,

    /// Seconds before a webhook push that was not answered with 200 is sent again
    ///
    /// The live service waits 60 s each time; a shorter pause doubles up to 60 s. Example: --push-retry 1
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub push_retry: std::time::Duration,

    /// Seconds a webhook push waits for an answer
    ///
    /// Example: --push-timeout 5
    #[arg(long, value_name = "SECS", default_value = "180", value_parser = parse_seconds)]
    pub push_timeout: std::time::Duration,
    /// Refresh getWebhooksCount only this often, as the live service does (every 10 s) [default: exact]
    ///
    /// Example: --count-refresh 10
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub count_refresh: Option<std::time::Duration>,

    /// Seconds between two clearWebhooksQueue an instance allows (the live service: 60)
    ///
    /// A clear sooner answers {"isCleared": false, "leftTime": N}. Example: --clear-interval 1
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_seconds)]
    pub clear_interval: std::time::Duration,

    /// Inject transient faults into this share of requests (0..1): 429, 5xx, dropped, cut short, slow
    ///
    /// Each request meets, with this probability, one of: 429 with Retry-After, 500, 502, 503, the
    /// connection dropped before the request is processed, or after it (the answer is lost: a
    /// delete happened, a publish was queued), an answer cut short, a slow answer (2 s). Never
    /// 401, 403 or 466. With -v each injected fault is logged.
    #[arg(long, value_name = "RATE", value_parser = parse_rate, allow_negative_numbers = true)]
    pub faults: Option<f64>,

    /// Seed of --faults: the same seed gives the same faults, request by request in arrival order
    #[arg(long, value_name = "N", requires = "faults")]
    pub seed: Option<u64>,

    /// Answer 429 (Retry-After: 1) to more than N requests of one method for one instance in any second
    ///
    /// As the live service limits each method (receiveNotification, deleteNotification, ...) of
    /// an instance to about 100 a second; publishing (POST /) is not limited. Example: --rate-limit 100
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub rate_limit: Option<u32>,

    /// Seconds before each status of a sent message: sent, then delivered, then read
    ///
    /// A send (sendMessage, sendFileByUrl, ...) answers at once with its idMessage and queues
    /// outgoingAPIMessageReceived; its outgoingMessageStatus notifications follow, one this far
    /// apart, as the contact's mode on the chat page says (normal: sent, delivered, read;
    /// offline: sent; not on WhatsApp: noAccount; failing: failed). Example: --status-delay 0.05
    #[arg(long, value_name = "SECS", default_value = "0.2", value_parser = parse_seconds)]
    pub status_delay: std::time::Duration,
}

/// The states of getStateInstance, as the live service names them.
pub const INSTANCE_STATES: [&str; 6] = [
    "notAuthorized",
    "authorized",
    "blocked",
    "sleepMode",
    "starting",
    "yellowCard",
];

/// Seconds, fractions allowed (`0.05`), up to an hour.
fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if (0.01..=3600.0).contains(&s) => Ok(std::time::Duration::from_secs_f64(s)),
        _ => Err("give seconds from 0.01 to 3600, e.g. 60 or 0.1".into()),
    }
}

/// A probability: 0 to 1.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err("give a number from 0 to 1, e.g. 0.3".into()),
    }
}

/// A clap error as greenq says its own: `<what> (<tips>); usage: <usage>; see --help`.
/// Help and version requests are not errors; `main` lets clap print those. `args` is the
/// command line (with the program's name), for the hints that need to see it.
pub fn usage_error(e: &clap::Error, args: &[std::ffi::OsString]) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind as K};
    if matches!(
        e.kind(),
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return None;
    }
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let what = lines
        .next()
        .unwrap_or("the command line is not valid")
        .trim_start_matches("error: ");
    let rest: Vec<&str> = lines.collect();
    let mut tips: Vec<String> = rest
        .iter()
        .filter_map(|l| l.strip_prefix("tip: "))
        // clap's "to pass '--x' as a value, use '-- --x'": after tail's `--` comes the
        // --exec command, and no value of greenq's starts with a dash.
        .filter(|tip| !tip.starts_with("to pass '"))
        .map(str::to_string)
        .collect();
    let mut usage = rest
        .iter()
        .find_map(|l| l.strip_prefix("Usage: "))
        .map(str::to_string);
    // "the following required arguments were not provided:" lists them on the next lines.
    let listed: Vec<&str> = rest
        .iter()
        .take_while(|l| !l.starts_with("Usage: "))
        .filter(|l| !l.starts_with("tip: ") && !l.starts_with("[possible values"))
        .copied()
        .collect();
    let mut line = match what.strip_suffix(':') {
        Some(what) if !listed.is_empty() => format!("{what}: {}", listed.join(", ")),
        _ => what.to_string(),
    };
    // Rust's words for a bad number ("invalid digit found in string", "0 is not in
    // 1..=4294967295") said as a person would.
    if matches!(e.kind(), K::InvalidValue | K::ValueValidation)
        && let Some((head, reason)) = line.rsplit_once("': ")
        && let Some(plain) = plain_number_reason(reason)
    {
        line = format!("{head}' ({plain})");
    }
    if e.kind() == K::InvalidValue
        && let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue)
        && !valid.is_empty()
    {
        tips.push(format!("possible values: {}", valid.join(", ")));
    }
    if e.kind() == K::UnknownArgument
        && let Some(ContextValue::String(invalid)) = e.get(ContextKind::InvalidArg)
    {
        let subcommand = usage.as_deref().and_then(subcommand_of_usage);
        let suggested = match e.get(ContextKind::SuggestedArg) {
            Some(ContextValue::String(s)) => Some(s.as_str()),
            _ => None,
        };
        if let Some(hint) = unknown_argument_hint(invalid, suggested, subcommand.as_deref(), args) {
            // clap's own suggestion (and the usage line it built around it) misleads here.
            tips = vec![hint];
            usage = subcommand.as_deref().and_then(plain_usage);
        }
    }
    if !tips.is_empty() {
        line.push_str(&format!(" ({})", tips.join("; ")));
    }
    match usage {
        Some(usage) => line.push_str(&format!("; usage: {usage}; see --help for more")),
        None => line.push_str("; see --help"),
    }
    Some(line)
}

/// What a number parser's complaint means, in words; `None` for anything else.
fn plain_number_reason(reason: &str) -> Option<String> {
    match reason {
        "invalid digit found in string" | "cannot parse integer from empty string" => {
            return Some("not a whole number".into());
        }
        "number too large to fit in target type" => return Some("too large".into()),
        _ => {}
    }
    let (_, range) = reason.split_once(" is not in ")?;
    let (low, high) = range.split_once("..=")?;
    let (low, high) = (low.parse::<u64>().ok()?, high.parse::<u64>().ok()?);
    Some(if high == u64::from(u32::MAX) || high == u64::MAX {
        format!("give a whole number of at least {low}")
    } else {
        format!("give a whole number from {low} to {high}")
    })
}

/// The subcommand path of a usage line: `greenq profile add [OPTIONS]` -> `profile add`.
fn subcommand_of_usage(usage: &str) -> Option<String> {
    let words = usage.strip_prefix("greenq ")?;
    let mut command = Cli::command();
    let mut path = Vec::new();
    for word in words.split_whitespace() {
        match command.find_subcommand(word) {
            Some(sub) => {
                path.push(word);
                command = sub.clone();
            }
            None => break,
        }
    }
    (!path.is_empty()).then(|| path.join(" "))
}

/// The subcommand's own usage line, without `Usage: `.
fn plain_usage(path: &str) -> Option<String> {
    let mut command = Cli::command();
    command.build();
    let mut sub = &mut command;
    for word in path.split_whitespace() {
        sub = sub.find_subcommand_mut(word)?;
    }
    let usage = sub.render_usage().to_string();
    Some(usage.trim().trim_start_matches("Usage: ").to_string())
}

/// What to say instead of clap's suggestion for an unknown argument, when greenq knows
/// what was meant: the command of `--exec` without `--`, `--json` for `--format json`,
/// `delete --all`. And never `--allow-insecure-http`, unless it was nearly typed: a typo
/// must not lead to a token sent in clear.
fn unknown_argument_hint(
    invalid: &str,
    suggested: Option<&str>,
    subcommand: Option<&str>,
    args: &[std::ffi::OsString],
) -> Option<String> {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let subcommand = subcommand?;
    // clap stops at the first stray word, so it and what follows are the command.
    if subcommand == "tail"
        && !invalid.starts_with('-')
        && args.iter().any(|a| a == "--exec")
        && let Some(at) = args.iter().skip(1).position(|a| a == invalid)
    {
        let mut fixed: Vec<String> = vec!["greenq".into()];
        fixed.extend(args[1..=at].iter().map(|a| shell_quote(a)));
        fixed.push("--".into());
        fixed.extend(args[at + 1..].iter().map(|a| shell_quote(a)));
        return Some(format!("put the command after --: {}", fixed.join(" ")));
    }
    let flag = invalid.split('=').next().unwrap_or(invalid);
    if let Some(value) = flag.strip_prefix("--")
        && format_values(subcommand).iter().any(|v| v == value)
    {
        return Some(format!("use --format {value}"));
    }
    if subcommand == "delete" && flag == "--all" {
        return Some(
            "delete takes receipt ids; to drop every waiting notification: greenq purge".into(),
        );
    }
    if subcommand == "purge" && flag == "--all" {
        return Some("purge always clears the whole queue: greenq purge".into());
    }
    // The names other tools give what greenq calls otherwise.
    if matches!(subcommand, "tail" | "receive") && matches!(flag, "--wait" | "--timeout") {
        return Some(format!(
            "the long poll's length is --receive-timeout SECS (5..60): greenq {subcommand} --receive-timeout 5"
        ));
    }
    if subcommand == "serve" && matches!(flag, "--port" | "--host" | "--bind" | "--addr") {
        return Some("use --listen ADDR: greenq serve --listen 127.0.0.1:7701".into());
    }
    let insecure_suggested = suggested.is_some_and(|s| s.contains("--allow-insecure-http"));
    (insecure_suggested && !flag.contains("insec"))
        .then(|| format!("greenq {subcommand} has no {flag}; see greenq {subcommand} --help"))
}

/// The values of a subcommand's `--format`, if it has one.
fn format_values(path: &str) -> Vec<String> {
    let mut command = Cli::command();
    for word in path.split_whitespace() {
        match command.find_subcommand(word) {
            Some(sub) => command = sub.clone(),
            None => return Vec::new(),
        }
    }
    command
        .get_arguments()
        .find(|a| a.get_long() == Some("format"))
        .map(|a| {
            a.get_possible_values()
                .iter()
                .map(|v| v.get_name().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// `arg` as a shell would need it written: as it is when plain, else in single quotes.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_read_like_greenq_errors() {
        let e = Cli::try_parse_from(["greenq", "tail", "--tpye", "x"]).unwrap_err();
        let line = usage_error(&e, &[]).unwrap();
        assert!(
            line.starts_with(
                "unexpected argument '--tpye' found (a similar argument exists: '--type'"
            ),
            "{line}"
        );
        assert!(line.contains("; usage: greenq tail"), "{line}");
        let e = Cli::try_parse_from(["greenq", "tail", "--dead-letter", "f", "--exec", "--", "x"])
            .unwrap_err();
        let line = usage_error(&e, &[]).unwrap();
        assert!(
            line.starts_with(
                "the following required arguments were not provided: --max-attempts <N>"
            ),
            "{line}"
        );
        let help = Cli::try_parse_from(["greenq", "--help"]).unwrap_err();
        assert_eq!(usage_error(&help, &[]), None);
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
