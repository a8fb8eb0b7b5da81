
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'greenq' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'greenq'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'greenq' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('receive', 'receive', [CompletionResultType]::ParameterValue, 'Receive one notification (one long poll) and print it; does not delete it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Acknowledge (delete) receipts by id')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Put notifications into a queue through the webhook endpoint')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Print how many notifications wait in the queue (getWebhooksCount)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Clear the queue: every waiting notification is dropped unread (clearWebhooksQueue)')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a queue: receive, print, then delete, in a loop')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find out why a queue stays empty: configuration, host, credentials, state, settings')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local emulator of the queue service (in memory; nothing is kept when it stops)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start an emulator, publish a few notifications to it, and tail them; needs no account')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'List, add, change, remove and import profiles (instance, token, URLs) of the config file')
            [CompletionResult]::new('fleet', 'fleet', [CompletionResultType]::ParameterValue, 'Show who owns what in a fleet of `tail --coordinate` members (read from Redis)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'greenq;receive' {
            [CompletionResult]::new('--receive-timeout', '--receive-timeout', [CompletionResultType]::ParameterName, 'Seconds the service may wait for a notification (5..60; sent as receiveTimeout)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;delete' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;publish' {
            [CompletionResult]::new('--text', '--text', [CompletionResultType]::ParameterName, 'Build an outgoingMessageReceived notification with this text')
            [CompletionResult]::new('--chat-id', '--chat-id', [CompletionResultType]::ParameterName, 'Chat of the built notification (79001234568@c.us; a bare number gets @c.us)')
            [CompletionResult]::new('--sender-name', '--sender-name', [CompletionResultType]::ParameterName, 'Sender name of the built notification')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate and print what would be sent; send nothing')
            [CompletionResult]::new('--at-least-once', '--at-least-once', [CompletionResultType]::ParameterName, 'Send a notification again when its answer was lost (it may then be published twice)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Send each notification as soon as it is read and checked [default for a pipe, a terminal, a FIFO]')
            [CompletionResult]::new('--check-first', '--check-first', [CompletionResultType]::ParameterName, 'Check every notification before sending any [default for a regular file, and for `- < FILE`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;count' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: the number alone, or {"count": N, "instance": ID}')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;purge' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Clear without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Clear without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'When the service says it is too soon (one clear a minute), wait the time it names and try once more')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;tail' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after N were printed (or handled: --exec, --forward-to)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N were printed (or handled: --exec, --forward-to)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only this typeWebhook (repeatable); OTHERS ARE DELETED UNPRINTED')
            [CompletionResult]::new('--receive-timeout', '--receive-timeout', [CompletionResultType]::ParameterName, 'Seconds a receive may wait (5..60; sent as receiveTimeout)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: pretty on a terminal, json in a pipe]')
            [CompletionResult]::new('--max-rate', '--max-rate', [CompletionResultType]::ParameterName, 'At most N requests a second of each method, from the start')
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'POST each body to URL (a webhook handler); delete it on a 2xx')
            [CompletionResult]::new('--handler-timeout', '--handler-timeout', [CompletionResultType]::ParameterName, 'Seconds CMD or the hook may take per notification')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts each, then --dead-letter or exit 1 [default: no limit]')
            [CompletionResult]::new('--dead-letter', '--dead-letter', [CompletionResultType]::ParameterName, 'Append one whose attempts ran out to FILE, then delete it')
            [CompletionResult]::new('--forward-token-file', '--forward-token-file', [CompletionResultType]::ParameterName, 'Bearer token file for the hook [else env: GREENQ_FORWARD_TOKEN]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header for the hook, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header for the hook, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve /metrics, /healthz and /readyz on ADDR (PORT alone: loopback)')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Keep tail''s lock and ledger in DIR [env: GREENQ_STATE_DIR]')
            [CompletionResult]::new('--coordinate', '--coordinate', [CompletionResultType]::ParameterName, 'Share queues across machines via Redis leases [env: GREENQ_COORDINATE]')
            [CompletionResult]::new('--member', '--member', [CompletionResultType]::ParameterName, 'This member''s name in the fleet [default: HOST:PID]')
            [CompletionResult]::new('--lease-ttl', '--lease-ttl', [CompletionResultType]::ParameterName, 'Seconds a lease lasts without renewal (1..300) [default: 15]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Stop when a receive ends with no notification')
            [CompletionResult]::new('--exit-on-empty', '--exit-on-empty', [CompletionResultType]::ParameterName, 'Stop when a receive ends with no notification')
            [CompletionResult]::new('--allow-unknown-type', '--allow-unknown-type', [CompletionResultType]::ParameterName, 'Accept a --type greenq does not know (a new type of the service)')
            [CompletionResult]::new('--no-pipeline', '--no-pipeline', [CompletionResultType]::ParameterName, 'One request at a time: two round trips per notification')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Pipelining is the default now; accepted so that older scripts still run')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD (after --) per notification; delete it when CMD exits 0')
            [CompletionResult]::new('--dedupe', '--dedupe', [CompletionResultType]::ParameterName, 'Do not hand on again what was handled already; just delete it')
            [CompletionResult]::new('--all-profiles', '--all-profiles', [CompletionResultType]::ParameterName, 'Follow every profile of the config file, each instance in a thread of its own')
            [CompletionResult]::new('--fail-fast', '--fail-fast', [CompletionResultType]::ParameterName, 'With several profiles: stop all when one stops on an error')
            [CompletionResult]::new('--no-state', '--no-state', [CompletionResultType]::ParameterName, 'Run without a state directory: no lock against a second consumer, no ledger')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: a line per check, or one JSON object with every check')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free one)')
            [CompletionResult]::new('--accept', '--accept', [CompletionResultType]::ParameterName, 'Host this instance with this token (repeatable) [default: the configured instance, else a demo one]')
            [CompletionResult]::new('--accept-file', '--accept-file', [CompletionResultType]::ParameterName, 'Host the instances of FILE too: one ID:TOKEN a line, a name after a space may follow')
            [CompletionResult]::new('--partner-token', '--partner-token', [CompletionResultType]::ParameterName, 'Serve the Partner API''s getInstances for every hosted instance, with this partner token')
            [CompletionResult]::new('--first-receipt', '--first-receipt', [CompletionResultType]::ParameterName, 'The first receipt id of every hosted queue [default: the start''s time in microseconds]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Seconds a receive waits when it sends no receiveTimeout (0..60)')
            [CompletionResult]::new('--instance-state', '--instance-state', [CompletionResultType]::ParameterName, 'State every hosted instance reports (getStateInstance); `starting` refuses the queue''s methods with 400')
            [CompletionResult]::new('--push-retry', '--push-retry', [CompletionResultType]::ParameterName, 'Seconds before a webhook push that was not answered with 200 is sent again')
            [CompletionResult]::new('--push-timeout', '--push-timeout', [CompletionResultType]::ParameterName, 'Seconds a webhook push waits for an answer')
            [CompletionResult]::new('--count-refresh', '--count-refresh', [CompletionResultType]::ParameterName, 'Refresh getWebhooksCount only this often, as the live service does (every 10 s) [default: exact]')
            [CompletionResult]::new('--clear-interval', '--clear-interval', [CompletionResultType]::ParameterName, 'Seconds between two clearWebhooksQueue an instance allows (the live service: 60)')
            [CompletionResult]::new('--faults', '--faults', [CompletionResultType]::ParameterName, 'Inject transient faults into this share of requests (0..1): 429, 5xx, dropped, cut short, slow')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of --faults: the same seed gives the same faults, request by request in arrival order')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Answer 429 (Retry-After: 1) to more than N requests of one method for one instance in any second')
            [CompletionResult]::new('--status-delay', '--status-delay', [CompletionResultType]::ParameterName, 'Seconds before each status of a sent message: sent, then delivered, then read')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;demo' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: pretty on a terminal, json in a pipe]')
            [CompletionResult]::new('--instances', '--instances', [CompletionResultType]::ParameterName, 'Emulate this many instances and follow them all in one tail (1..100)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles: name, instance, API host, where the token comes from (never the token)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the profiles: name, instance, API host, where the token comes from (never the token)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile (the rest of the file is kept as it is)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a profile (the rest of the file is kept as it is)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add a profile per instance of a partner account (the Partner API''s getInstances)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'greenq;profile;list' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;ls' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;add' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the token from stdin and keep it in the config file (written 0600)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace a profile of that name')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;set' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read a new token from stdin and keep it in the config file (written 0600)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;edit' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read a new token from stdin and keep it in the config file (written 0600)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;remove' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;rm' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;import' {
            [CompletionResult]::new('--partner-url', '--partner-url', [CompletionResultType]::ParameterName, 'The Partner API''s host')
            [CompletionResult]::new('--partner-token-file', '--partner-token-file', [CompletionResultType]::ParameterName, 'File whose first line is the partner token (mode 0600)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace profiles of the same names')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;profile;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles: name, instance, API host, where the token comes from (never the token)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile (the rest of the file is kept as it is)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add a profile per instance of a partner account (the Partner API''s getInstances)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'greenq;profile;help;list' {
            break
        }
        'greenq;profile;help;add' {
            break
        }
        'greenq;profile;help;set' {
            break
        }
        'greenq;profile;help;remove' {
            break
        }
        'greenq;profile;help;import' {
            break
        }
        'greenq;profile;help;help' {
            break
        }
        'greenq;fleet' {
            [CompletionResult]::new('--coordinate', '--coordinate', [CompletionResultType]::ParameterName, 'The coordinator''s URL: redis://HOST:PORT[/DB] or rediss:// [env: GREENQ_COORDINATE]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, json in a pipe]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API host of your instance (the console shows it, e.g. https://7103.api.greenapi.com) [env: GREEN_API_URL] [default: https://api.green-api.com]')
            [CompletionResult]::new('--webhook-url', '--webhook-url', [CompletionResultType]::ParameterName, 'Webhook endpoint that publish posts notifications to [env: GREEN_API_WEBHOOK_URL] [default: https://webhook.green-api.com]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Take instance, token and URLs from this profile of the config file (repeatable for tail) [env: GREENQ_PROFILE]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'Instance id (idInstance) [env: GREEN_API_INSTANCE_ID, else ID_INSTANCE]')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'File whose first line is the apiTokenInstance [else env: GREEN_API_TOKEN, API_TOKEN_INSTANCE]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR turns auto off)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'How stderr lines are written: text, or one JSON object per line (time, level, message, fields)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One stderr line per HTTP exchange: method, URL (token shown as ***), status, milliseconds')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No status lines on stderr (errors and warnings still show)')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow http:// to a host other than loopback (the token would cross the network in clear)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'greenq;help' {
            [CompletionResult]::new('receive', 'receive', [CompletionResultType]::ParameterValue, 'Receive one notification (one long poll) and print it; does not delete it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Acknowledge (delete) receipts by id')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Put notifications into a queue through the webhook endpoint')
            [CompletionResult]::new('count', 'count', [CompletionResultType]::ParameterValue, 'Print how many notifications wait in the queue (getWebhooksCount)')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Clear the queue: every waiting notification is dropped unread (clearWebhooksQueue)')
            [CompletionResult]::new('tail', 'tail', [CompletionResultType]::ParameterValue, 'Follow a queue: receive, print, then delete, in a loop')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find out why a queue stays empty: configuration, host, credentials, state, settings')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local emulator of the queue service (in memory; nothing is kept when it stops)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start an emulator, publish a few notifications to it, and tail them; needs no account')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'List, add, change, remove and import profiles (instance, token, URLs) of the config file')
            [CompletionResult]::new('fleet', 'fleet', [CompletionResultType]::ParameterValue, 'Show who owns what in a fleet of `tail --coordinate` members (read from Redis)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'greenq;help;receive' {
            break
        }
        'greenq;help;delete' {
            break
        }
        'greenq;help;publish' {
            break
        }
        'greenq;help;count' {
            break
        }
        'greenq;help;purge' {
            break
        }
        'greenq;help;tail' {
            break
        }
        'greenq;help;doctor' {
            break
        }
        'greenq;help;serve' {
            break
        }
        'greenq;help;demo' {
            break
        }
        'greenq;help;profile' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles: name, instance, API host, where the token comes from (never the token)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile from -i, --api-url, [--webhook-url] and --token-file or --token-stdin')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change fields of a profile: --api-url, --webhook-url, -i, --token-file or --token-stdin')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile (the rest of the file is kept as it is)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Add a profile per instance of a partner account (the Partner API''s getInstances)')
            break
        }
        'greenq;help;profile;list' {
            break
        }
        'greenq;help;profile;add' {
            break
        }
        'greenq;help;profile;set' {
            break
        }
        'greenq;help;profile;remove' {
            break
        }
        'greenq;help;profile;import' {
            break
        }
        'greenq;help;fleet' {
            break
        }
        'greenq;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
