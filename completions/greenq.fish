# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_greenq_global_optspecs
    string join \n api-url= webhook-url= profile= i/instance= token-file= color= v/verbose q/quiet log-format= allow-insecure-http h/help V/version
end

function __fish_greenq_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_greenq_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_greenq_using_subcommand
    set -l cmd (__fish_greenq_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c greenq -n "__fish_greenq_needs_command" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_needs_command" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_needs_command" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_needs_command" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_needs_command" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_needs_command" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_needs_command" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_needs_command" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_needs_command" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_needs_command" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_needs_command" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "receive" -d 'Receive one notification (one long poll) and print it; does not delete it'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "delete" -d 'Acknowledge (delete) receipts by id'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "publish" -d 'Put notifications into a queue through the webhook endpoint'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "count" -d 'Print how many notifications wait in the queue (getWebhooksCount)'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "purge" -d 'Clear the queue: every waiting notification is dropped unread (clearWebhooksQueue)'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "tail" -d 'Follow a queue: receive, print, then delete, in a loop'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "doctor" -d 'Find out why a queue stays empty: configuration, host, credentials, state, settings'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "serve" -d 'Run a local emulator of the queue service (in memory; nothing is kept when it stops)'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "demo" -d 'Start an emulator, publish a few notifications to it, and tail them; needs no account'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "profile" -d 'List, add, change, remove and import profiles (instance, token, URLs) of the config file'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "fleet" -d 'Show who owns what in a fleet of `tail --coordinate` members (read from Redis)'
complete -c greenq -n "__fish_greenq_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l receive-timeout -d 'Seconds the service may wait for a notification (5..60; sent as receiveTimeout)' -r
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand receive" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand receive" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand receive" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand receive" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand receive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand receive" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand delete" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand delete" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand delete" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand delete" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand delete" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand delete" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand delete" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand delete" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand delete" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand delete" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand delete" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l text -d 'Build an outgoingMessageReceived notification with this text' -r
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l chat-id -d 'Chat of the built notification (79001234568@c.us; a bare number gets @c.us)' -r
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l sender-name -d 'Sender name of the built notification' -r
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand publish" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l dry-run -d 'Validate and print what would be sent; send nothing'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l at-least-once -d 'Send a notification again when its answer was lost (it may then be published twice)'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l stream -d 'Send each notification as soon as it is read and checked [default for a pipe, a terminal, a FIFO]'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l check-first -d 'Check every notification before sending any [default for a regular file, and for `- < FILE`]'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand publish" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand count" -l format -d 'Output format: the number alone, or {"count": N, "instance": ID}' -r -f -a "text\t'The number alone: 37'
json\t'One JSON object: {"count": 37, "instance": 1101000001}'"
complete -c greenq -n "__fish_greenq_using_subcommand count" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand count" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand count" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand count" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand count" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand count" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand count" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand count" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand count" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand count" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand count" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand count" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand purge" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand purge" -s y -l yes -d 'Clear without asking (needed when stdin is not a terminal)'
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l wait -d 'When the service says it is too soon (one clear a minute), wait the time it names and try once more'
complete -c greenq -n "__fish_greenq_using_subcommand purge" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand purge" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand purge" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand purge" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s n -l count -d 'Stop after N were printed (or handled: --exec, --forward-to)' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l type -d 'Only this typeWebhook (repeatable); OTHERS ARE DELETED UNPRINTED' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l receive-timeout -d 'Seconds a receive may wait (5..60; sent as receiveTimeout)' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l format -d 'Output format [default: pretty on a terminal, json in a pipe]' -r -f -a "pretty\t'Indented, coloured JSON under a header line (default on a terminal)'
json\t'One compact body per line, as publish accepts it (default in a pipe)'
text\t'One human line per notification: time, type, chat, the gist of the message'"
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l max-rate -d 'At most N requests a second of each method, from the start' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l forward-to -d 'POST each body to URL (a webhook handler); delete it on a 2xx' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l handler-timeout -d 'Seconds CMD or the hook may take per notification' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l max-attempts -d 'Attempts each, then --dead-letter or exit 1 [default: no limit]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l dead-letter -d 'Append one whose attempts ran out to FILE, then delete it' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l forward-token-file -d 'Bearer token file for the hook [else env: GREENQ_FORWARD_TOKEN]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s H -l header -d 'Extra header for the hook, \'Name: value\' (repeatable)' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l metrics-listen -d 'Serve /metrics, /healthz and /readyz on ADDR (PORT alone: loopback)' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l state-dir -d 'Keep tail\'s lock and ledger in DIR [env: GREENQ_STATE_DIR]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l coordinate -d 'Share queues across machines via Redis leases [env: GREENQ_COORDINATE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l member -d 'This member\'s name in the fleet [default: HOST:PID]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l lease-ttl -d 'Seconds a lease lasts without renewal (1..300) [default: 15]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s e -l exit-on-empty -d 'Stop when a receive ends with no notification'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l allow-unknown-type -d 'Accept a --type greenq does not know (a new type of the service)'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l no-pipeline -d 'One request at a time: two round trips per notification'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l pipeline -d 'Pipelining is the default now; accepted so that older scripts still run'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l exec -d 'Run CMD (after --) per notification; delete it when CMD exits 0'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l dedupe -d 'Do not hand on again what was handled already; just delete it'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l all-profiles -d 'Follow every profile of the config file, each instance in a thread of its own'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l fail-fast -d 'With several profiles: stop all when one stops on an error'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l no-state -d 'Run without a state directory: no lock against a second consumer, no ledger'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand tail" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l format -d 'Output format: a line per check, or one JSON object with every check' -r -f -a "text\t'One line per check: a mark (check marks on a terminal; ok, FAIL, warn in a pipe), what was found, what to do'
json\t'One JSON object: {"ok", "exit", "checks": [{"name", "status", "found", "fix", "data"}]}'"
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l listen -d 'Address to listen on (port 0 picks a free one)' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l accept -d 'Host this instance with this token (repeatable) [default: the configured instance, else a demo one]' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l accept-file -d 'Host the instances of FILE too: one ID:TOKEN a line, a name after a space may follow' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l partner-token -d 'Serve the Partner API\'s getInstances for every hosted instance, with this partner token' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l first-receipt -d 'The first receipt id of every hosted queue [default: the start\'s time in microseconds]' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l wait -d 'Seconds a receive waits when it sends no receiveTimeout (0..60)' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l instance-state -d 'State every hosted instance reports (getStateInstance); `starting` refuses the queue\'s methods with 400' -r -f -a "notAuthorized\t''
authorized\t''
blocked\t''
sleepMode\t''
starting\t''
yellowCard\t''"
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l push-retry -d 'Seconds before a webhook push that was not answered with 200 is sent again' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l push-timeout -d 'Seconds a webhook push waits for an answer' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l count-refresh -d 'Refresh getWebhooksCount only this often, as the live service does (every 10 s) [default: exact]' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l clear-interval -d 'Seconds between two clearWebhooksQueue an instance allows (the live service: 60)' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l faults -d 'Inject transient faults into this share of requests (0..1): 429, 5xx, dropped, cut short, slow' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l seed -d 'Seed of --faults: the same seed gives the same faults, request by request in arrival order' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l rate-limit -d 'Answer 429 (Retry-After: 1) to more than N requests of one method for one instance in any second' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l status-delay -d 'Seconds before each status of a sent message: sent, then delivered, then read' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand serve" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand serve" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand serve" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand serve" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l format -d 'Output format [default: pretty on a terminal, json in a pipe]' -r -f -a "pretty\t'Indented, coloured JSON under a header line (default on a terminal)'
json\t'One compact body per line, as publish accepts it (default in a pipe)'
text\t'One human line per notification: time, type, chat, the gist of the message'"
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l instances -d 'Emulate this many instances and follow them all in one tail (1..100)' -r
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand demo" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand demo" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand demo" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand demo" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand demo" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "list" -d 'List the profiles: name, instance, API host, where the token comes from (never the token)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "ls" -d 'List the profiles: name, instance, API host, where the token comes from (never the token)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "add" -d 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "set" -d 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "edit" -d 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "remove" -d 'Remove a profile (the rest of the file is kept as it is)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "rm" -d 'Remove a profile (the rest of the file is kept as it is)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "import" -d 'Add a profile per instance of a partner account (the Partner API\'s getInstances)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and not __fish_seen_subcommand_from list ls add set edit remove rm import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l token-stdin -d 'Read the token from stdin and keep it in the config file (written 0600)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l force -d 'Replace a profile of that name'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l token-stdin -d 'Read a new token from stdin and keep it in the config file (written 0600)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l token-stdin -d 'Read a new token from stdin and keep it in the config file (written 0600)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from edit" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l partner-url -d 'The Partner API\'s host' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l partner-token-file -d 'File whose first line is the partner token (mode 0600)' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l force -d 'Replace profiles of the same names'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the profiles: name, instance, API host, where the token comes from (never the token)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a profile (the rest of the file is kept as it is)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "import" -d 'Add a profile per instance of a partner account (the Partner API\'s getInstances)'
complete -c greenq -n "__fish_greenq_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l coordinate -d 'The coordinator\'s URL: redis://HOST:PORT[/DB] or rediss:// [env: GREENQ_COORDINATE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l format -d 'Output format [default: table on a terminal, json in a pipe]' -r -f -a "table\t'A table of queues (profile, owner, epoch, lease left) and of members'
json\t'One JSON object per line: {"instance", "profile", "owner", "epoch", "lease_left_ms"}, then {"member", "queues", "given"}'"
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l api-url -d 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l webhook-url -d 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]' -r
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l profile -d 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -s i -l instance -d 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]' -r
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l token-file -d 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]' -r -F
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l color -d 'When to colour output (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l log-format -d 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)' -r -f -a "text\t'Sentences for a person (`greenq: retrying in 1.2 s: HTTP 502`)'
json\t'One JSON object per line, for a log collector'"
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -s v -l verbose -d 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds'
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -s q -l quiet -d 'No status lines on stderr (errors and warnings still show)'
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -l allow-insecure-http -d 'Allow http:// to a host other than loopback (the token would cross the network in clear)'
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c greenq -n "__fish_greenq_using_subcommand fleet" -s V -l version -d 'Print version'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "receive" -d 'Receive one notification (one long poll) and print it; does not delete it'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "delete" -d 'Acknowledge (delete) receipts by id'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "publish" -d 'Put notifications into a queue through the webhook endpoint'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "count" -d 'Print how many notifications wait in the queue (getWebhooksCount)'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "purge" -d 'Clear the queue: every waiting notification is dropped unread (clearWebhooksQueue)'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "tail" -d 'Follow a queue: receive, print, then delete, in a loop'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "doctor" -d 'Find out why a queue stays empty: configuration, host, credentials, state, settings'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "serve" -d 'Run a local emulator of the queue service (in memory; nothing is kept when it stops)'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "demo" -d 'Start an emulator, publish a few notifications to it, and tail them; needs no account'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "profile" -d 'List, add, change, remove and import profiles (instance, token, URLs) of the config file'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "fleet" -d 'Show who owns what in a fleet of `tail --coordinate` members (read from Redis)'
complete -c greenq -n "__fish_greenq_using_subcommand help; and not __fish_seen_subcommand_from receive delete publish count purge tail doctor serve demo profile fleet help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c greenq -n "__fish_greenq_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "list" -d 'List the profiles: name, instance, API host, where the token comes from (never the token)'
complete -c greenq -n "__fish_greenq_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "add" -d 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin'
complete -c greenq -n "__fish_greenq_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "set" -d 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin'
complete -c greenq -n "__fish_greenq_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "remove" -d 'Remove a profile (the rest of the file is kept as it is)'
complete -c greenq -n "__fish_greenq_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "import" -d 'Add a profile per instance of a partner account (the Partner API\'s getInstances)'
