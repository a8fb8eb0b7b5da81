//! The examples at the end of each subcommand's help (and man page).

pub(super) const RECEIVE_EXAMPLES: &str = "\
Examples:
  Look at the head of the queue without taking it:
    greenq receive
  Wait up to a minute:
    greenq receive --receive-timeout 60
  Receive, then acknowledge what was received:
    greenq receive | greenq delete -

Exit codes: 0 printed, 3 queue empty, 4 credentials rejected, 5 quota, 1 failure.";

pub(super) const DELETE_EXAMPLES: &str = "\
Examples:
  Delete a stuck receipt by hand:
    greenq delete 488645
  Several at once:
    greenq delete 488645 488646 488647
  From a file of ids, or from `receive`:
    greenq delete - < receipts.txt
    greenq receive | greenq delete -

Prints `deleted ID` or `not found ID` per receipt.
Exit codes: 0 all deleted, 3 any not found, 2 bad id (nothing deleted), 1 failure.";

pub(super) const PUBLISH_EXAMPLES: &str = "\
Examples:
  Publish a test message from a script:
    greenq publish --text 'hello from greenq' --chat-id 79001234568
  Publish a file of notifications (one JSON object, NDJSON or concatenated JSON):
    greenq publish notifications.ndjson
  Move a queue: back it up, then publish it again:
    greenq tail -e --format json > backup.ndjson
    greenq publish backup.ndjson
  Check a file without sending anything:
    greenq publish --dry-run notifications.ndjson
  Prefer a possible duplicate to stopping when an answer is lost:
    greenq publish --at-least-once notifications.ndjson
  Relay a live queue into a local emulator as it arrives:
    greenq tail --api-url https://7103.api.greenapi.com \\
      | greenq publish --webhook-url http://127.0.0.1:7700 -

Each notification must be a JSON object with a string typeWebhook and an integer
instanceData.idInstance. A file (also `- < FILE`) is checked whole first: on any invalid
one nothing is sent (exit 65). A pipe is sent as it is read: an invalid one stops it
(exit 65), those before it were sent, nothing after it is. --stream / --check-first
force either way. Prints each published notification's idMessage (or -), one per line.
A notification whose answer was lost is not sent again (it may have arrived): publish
stops, exit 1, and says where to resume.";

pub(super) const TAIL_EXAMPLES: &str = "\
Examples:
  Follow a queue in a terminal:
    greenq tail
  Only outgoing messages, one line each (other types are deleted unprinted):
    greenq tail --type outgoingMessageReceived --format text
  A type greenq does not know yet:
    greenq tail --type someNewWebhook --allow-unknown-type
  NDJSON into jq:
    greenq tail | jq -r '.messageData.textMessageData.textMessage'
  Take exactly 10 notifications:
    greenq tail -n 10 > ten.ndjson
  Drain the queue into a backup file, then stop:
    greenq tail -e --format json > backup.ndjson
  Keep below 50 requests a second of each method from the start:
    greenq tail --max-rate 50
  Without pipelining (one request at a time, two round trips per notification):
    greenq tail --no-pipeline

  Be your bot's consumer: run a command per notification, delete it when it exits 0:
    greenq tail --exec -- ./bot.py
    greenq tail --exec -- sh -c 'jq -r .typeWebhook >> seen.txt'
  Forward to a local webhook handler, 5 attempts each, then set it aside:
    greenq tail --forward-to http://127.0.0.1:8080/webhook --max-attempts 5 \\
      --dead-letter dead.ndjson --dedupe -H 'X-Bot: support'
  Run as a service: Prometheus metrics and /readyz on loopback port 9464, JSON log lines:
    greenq --log-format json tail --metrics-listen 9464 --exec -- ./bot.py
  Hand each notification to a Redis stream, deleted once Redis took it:
    greenq tail --exec -- redis-cli -e -x XADD greenq '*' body
  Keep the lock and the ledger in a directory of your choice, or go without:
    greenq tail --state-dir /var/lib/greenq-bot --exec -- ./bot.py
    greenq tail --no-state -n 1
  One consumer per queue across machines: run this on each host (Redis holds the leases):
    GREENQ_COORDINATE=redis://10.0.0.5:6379 greenq tail --all-profiles --exec -- ./bot.py

With --exec or --forward-to, a notification is deleted only after the command exited 0 or
the hook answered 2xx. Ctrl-C stops at once (a command or hook in flight is
waited for, up to --handler-timeout) and never deletes what was not handled. A pipe cannot
tell what its reader consumed: with `| head -n 3` the notification whose write failed
stays queued, but ones the reader never looked at may be gone; use --count for an exact
number, or --exec.

Faults are retried without limit, with pauses that grow (0.5 s doubling to 30 s,
Retry-After as a floor) until a notification is delivered; after a 429 that method is
paced at about 90 % of the rate that drew it (--max-rate N: a ceiling from the start).
A head that comes back however often it is deleted stops tail with exit 1. A host that
cannot be found, refuses the connection (loopback too: is greenq serve running there?)
or fails TLS before anything worked ends tail at once (exit 1): check --api-url.";

pub(super) const SERVE_EXAMPLES: &str = "\
Examples:
  Start an emulator and point greenq at it:
    greenq serve --listen 127.0.0.1:7700
    # paste the export lines it prints, then:
    greenq publish --text hi --chat-id 79001234568 && greenq tail -e
  Host two instances, answer empty receives after 1 s:
    greenq serve --accept 1:token-one --accept 2:token-two --wait 1
  Let the system pick a free port (the first stdout line says which):
    greenq serve --listen 127.0.0.1:0
  Emulate an instance that is starting up (the queue's methods answer 400):
    greenq serve --instance-state starting
  Push to a local webhook, and retry a refused push after 1 s instead of 60 s:
    greenq serve --push-retry 1 &
    curl -d '{\"webhookUrl\":\"http://127.0.0.1:9000/hook\"}' \\
      http://127.0.0.1:7700/waInstance$GREEN_API_INSTANCE_ID/setSettings/$GREEN_API_TOKEN
  Test your consumer against faults: 30 % of requests fail, the same way on every run:
    greenq serve --faults 0.3 --seed 42 -v
  A count as stale as the live service's (10 s), and a clear allowed every 2 s:
    greenq serve --count-refresh 10 --clear-interval 2
  Enforce the live service's rate limit (429 above 100 requests a second per method):
    greenq serve --rate-limit 100 -v
  Play the users of your bot in the browser (http://127.0.0.1:7700/), statuses 50 ms apart:
    greenq serve --status-delay 0.05

The queue lives in memory; nothing is kept when the emulator stops (Ctrl-C, SIGTERM).";

pub(super) const DOCTOR_EXAMPLES: &str = "\
Examples:
  Why does my queue stay empty?
    greenq doctor
  For a script or a support ticket (the token is never shown):
    greenq doctor --format json
  See every request it makes:
    greenq doctor -v

Exit codes: 0 all checks pass (warnings allowed), 1 any check fails, 2 usage error,
4 credentials rejected, 130 interrupted.";

pub(super) const DEMO_EXAMPLES: &str = "\
Examples:
    greenq demo
    greenq demo --format text

Needs no configuration and never leaves loopback: the emulator runs inside this process.";

pub(super) const COUNT_EXAMPLES: &str = "\
Examples:
  How many notifications wait (the service's figure may be up to 10 s old):
    greenq count
  For a script or a monitor:
    greenq count --format json

Exit codes: 0 printed, 4 credentials rejected, 5 quota, 1 failure.";

pub(super) const PURGE_EXAMPLES: &str = "\
Examples:
  Clear a queue full of junk (shows the count, asks for the instance id):
    greenq purge
  From a script (no terminal to ask on):
    greenq purge --yes
  Keep a copy first, then clear what is left:
    greenq tail -e --format json > backup.ndjson && greenq purge --yes
  The service allows one clear a minute; wait for it instead of failing:
    greenq purge --yes --wait

A clear whose answer was lost is never sent again (it would take what arrived since):
greenq says the queue may have been cleared; `greenq count` tells.
Exit codes: 0 cleared, 1 too soon or may have been cleared, 2 not confirmed (nothing
cleared), 4 credentials rejected, 5 quota.";

pub(super) const FLEET_EXAMPLES: &str = "\
Examples:
  Who owns what (the URL as the members were given it):
    GREENQ_COORDINATE=redis://10.0.0.5:6379 greenq fleet
  One JSON object per line, the queues nobody owns:
    greenq fleet --coordinate redis://10.0.0.5:6379 --format json | jq 'select(.instance and .owner == null)'
";
