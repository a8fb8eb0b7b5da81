
use builtin;
use str;

set edit:completion:arg-completer[greenq] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'greenq'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'greenq'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand receive 'Receive one notification (one long poll) and print it; does not delete it'
            cand delete 'Acknowledge (delete) receipts by id'
            cand publish 'Put notifications into a queue through the webhook endpoint'
            cand count 'Print how many notifications wait in the queue (getWebhooksCount)'
            cand purge 'Clear the queue: every waiting notification is dropped unread (clearWebhooksQueue)'
            cand tail 'Follow a queue: receive, print, then delete, in a loop'
            cand doctor 'Find out why a queue stays empty: configuration, host, credentials, state, settings'
            cand serve 'Run a local emulator of the queue service (in memory; nothing is kept when it stops)'
            cand demo 'Start an emulator, publish a few notifications to it, and tail them; needs no account'
            cand profile 'List, add, change, remove and import profiles (instance, token, URLs) of the config file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'greenq;receive'= {
            cand --receive-timeout 'Seconds the service may wait for a notification (5..60; sent as receiveTimeout)'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;delete'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;publish'= {
            cand --text 'Build an outgoingMessageReceived notification with this text'
            cand --chat-id 'Chat of the built notification (79001234568@c.us; a bare number gets @c.us)'
            cand --sender-name 'Sender name of the built notification'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand --dry-run 'Validate and print what would be sent; send nothing'
            cand --at-least-once 'Send a notification again when its answer was lost (it may then be published twice)'
            cand --stream 'Send each notification as soon as it is read and checked [default for a pipe, a terminal, a FIFO]'
            cand --check-first 'Check every notification before sending any [default for a regular file, and for `- < FILE`]'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;count'= {
            cand --format 'Output format: the number alone, or {"count": N, "instance": ID}'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;purge'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -y 'Clear without asking (needed when stdin is not a terminal)'
            cand --yes 'Clear without asking (needed when stdin is not a terminal)'
            cand --wait 'When the service says it is too soon (one clear a minute), wait the time it names and try once more'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;tail'= {
            cand -n 'Stop after N were printed (or handled: --exec, --forward-to)'
            cand --count 'Stop after N were printed (or handled: --exec, --forward-to)'
            cand --type 'Only this typeWebhook (repeatable); OTHERS ARE DELETED UNPRINTED'
            cand --receive-timeout 'Seconds a receive may wait (5..60; sent as receiveTimeout)'
            cand --format 'Output format [default: pretty on a terminal, json in a pipe]'
            cand --max-rate 'At most N requests a second of each method, from the start'
            cand --forward-to 'POST each body to URL (a webhook handler); delete it on a 2xx'
            cand --handler-timeout 'Seconds CMD or the hook may take per notification'
            cand --max-attempts 'Attempts each, then --dead-letter or exit 1 [default: no limit]'
            cand --dead-letter 'Append one whose attempts ran out to FILE, then delete it'
            cand --forward-token-file 'Bearer token file for the hook [else env: GREENQ_FORWARD_TOKEN]'
            cand -H 'Extra header for the hook, ''Name: value'' (repeatable)'
            cand --header 'Extra header for the hook, ''Name: value'' (repeatable)'
            cand --metrics-listen 'Serve /metrics, /healthz and /readyz on ADDR (PORT alone: loopback)'
            cand --state-dir 'Keep tail''s lock and ledger in DIR [env: GREENQ_STATE_DIR]'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -e 'Stop when a receive ends with no notification'
            cand --exit-on-empty 'Stop when a receive ends with no notification'
            cand --allow-unknown-type 'Accept a --type greenq does not know (a new type of the service)'
            cand --no-pipeline 'One request at a time: two round trips per notification'
            cand --pipeline 'Pipelining is the default now; accepted so that older scripts still run'
            cand --exec 'Run CMD (after --) per notification; delete it when CMD exits 0'
            cand --dedupe 'Do not hand on again what was handled already; just delete it'
            cand --all-profiles 'Follow every profile of the config file, each instance in a thread of its own'
            cand --fail-fast 'With several profiles: stop all when one stops on an error'
            cand --no-state 'Run without a state directory: no lock against a second consumer, no ledger'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;doctor'= {
            cand --format 'Output format: a line per check, or one JSON object with every check'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;serve'= {
            cand --listen 'Address to listen on (port 0 picks a free one)'
            cand --accept 'Host this instance with this token (repeatable) [default: the configured instance, else a demo one]'
            cand --accept-file 'Host the instances of FILE too: one ID:TOKEN a line, a name after a space may follow'
            cand --partner-token 'Serve the Partner API''s getInstances for every hosted instance, with this partner token'
            cand --first-receipt 'The first receipt id of every hosted queue [default: the start''s time in microseconds]'
            cand --wait 'Seconds a receive waits when it sends no receiveTimeout (0..60)'
            cand --instance-state 'State every hosted instance reports (getStateInstance); `starting` refuses the queue''s methods with 400'
            cand --push-retry 'Seconds before a webhook push that was not answered with 200 is sent again'
            cand --push-timeout 'Seconds a webhook push waits for an answer'
            cand --count-refresh 'Refresh getWebhooksCount only this often, as the live service does (every 10 s) [default: exact]'
            cand --clear-interval 'Seconds between two clearWebhooksQueue an instance allows (the live service: 60)'
            cand --faults 'Inject transient faults into this share of requests (0..1): 429, 5xx, dropped, cut short, slow'
            cand --seed 'Seed of --faults: the same seed gives the same faults, request by request in arrival order'
            cand --rate-limit 'Answer 429 (Retry-After: 1) to more than N requests of one method for one instance in any second'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;demo'= {
            cand --format 'Output format [default: pretty on a terminal, json in a pipe]'
            cand --instances 'Emulate this many instances and follow them all in one tail (1..100)'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the profiles: name, instance, API host, where the token comes from (never the token)'
            cand ls 'List the profiles: name, instance, API host, where the token comes from (never the token)'
            cand add 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin'
            cand set 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
            cand edit 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
            cand remove 'Remove a profile (the rest of the file is kept as it is)'
            cand rm 'Remove a profile (the rest of the file is kept as it is)'
            cand import 'Add a profile per instance of a partner account (the Partner API''s getInstances)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'greenq;profile;list'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;ls'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;add'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand --token-stdin 'Read the token from stdin and keep it in the config file (written 0600)'
            cand --force 'Replace a profile of that name'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;set'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand --token-stdin 'Read a new token from stdin and keep it in the config file (written 0600)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;edit'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand --token-stdin 'Read a new token from stdin and keep it in the config file (written 0600)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;remove'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;rm'= {
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;import'= {
            cand --partner-url 'The Partner API''s host'
            cand --partner-token-file 'File whose first line is the partner token (mode 0600)'
            cand --api-url 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]'
            cand --webhook-url 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]'
            cand --profile 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]'
            cand -i 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --instance 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]'
            cand --token-file 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]'
            cand --color 'When to colour output (NO_COLOR turns auto off)'
            cand --log-format 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)'
            cand --force 'Replace profiles of the same names'
            cand -v 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand --verbose 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
            cand -q 'No status lines on stderr (errors and warnings still show)'
            cand --quiet 'No status lines on stderr (errors and warnings still show)'
            cand --allow-insecure-http 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'greenq;profile;help'= {
            cand list 'List the profiles: name, instance, API host, where the token comes from (never the token)'
            cand add 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin'
            cand set 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
            cand remove 'Remove a profile (the rest of the file is kept as it is)'
            cand import 'Add a profile per instance of a partner account (the Partner API''s getInstances)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'greenq;profile;help;list'= {
        }
        &'greenq;profile;help;add'= {
        }
        &'greenq;profile;help;set'= {
        }
        &'greenq;profile;help;remove'= {
        }
        &'greenq;profile;help;import'= {
        }
        &'greenq;profile;help;help'= {
        }
        &'greenq;help'= {
            cand receive 'Receive one notification (one long poll) and print it; does not delete it'
            cand delete 'Acknowledge (delete) receipts by id'
            cand publish 'Put notifications into a queue through the webhook endpoint'
            cand count 'Print how many notifications wait in the queue (getWebhooksCount)'
            cand purge 'Clear the queue: every waiting notification is dropped unread (clearWebhooksQueue)'
            cand tail 'Follow a queue: receive, print, then delete, in a loop'
            cand doctor 'Find out why a queue stays empty: configuration, host, credentials, state, settings'
            cand serve 'Run a local emulator of the queue service (in memory; nothing is kept when it stops)'
            cand demo 'Start an emulator, publish a few notifications to it, and tail them; needs no account'
            cand profile 'List, add, change, remove and import profiles (instance, token, URLs) of the config file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'greenq;help;receive'= {
        }
        &'greenq;help;delete'= {
        }
        &'greenq;help;publish'= {
        }
        &'greenq;help;count'= {
        }
        &'greenq;help;purge'= {
        }
        &'greenq;help;tail'= {
        }
        &'greenq;help;doctor'= {
        }
        &'greenq;help;serve'= {
        }
        &'greenq;help;demo'= {
        }
        &'greenq;help;profile'= {
            cand list 'List the profiles: name, instance, API host, where the token comes from (never the token)'
            cand add 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin'
            cand set 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
            cand remove 'Remove a profile (the rest of the file is kept as it is)'
            cand import 'Add a profile per instance of a partner account (the Partner API''s getInstances)'
        }
        &'greenq;help;profile;list'= {
        }
        &'greenq;help;profile;add'= {
        }
        &'greenq;help;profile;set'= {
        }
        &'greenq;help;profile;remove'= {
        }
        &'greenq;help;profile;import'= {
        }
        &'greenq;help;help'= {
        }
    ]
    $completions[$command]
}
