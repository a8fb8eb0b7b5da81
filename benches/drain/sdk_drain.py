"""Drains N notifications with the official GREEN-API Python SDK (whatsapp-api-client-python),
the way its README receives them: webhooks.startReceivingNotifications, whose loop calls
receiving.receiveNotification and receiving.deleteNotification on one keep-alive session.
The handler writes each body as a JSON line (to /dev/null), as `greenq tail --format json`
does, and stops the loop after the Nth.

    python sdk_drain.py HOST INSTANCE TOKEN N

Prints the SDK's version and the seconds the drain took (interpreter start and imports
excluded); exits 1 unless exactly N notifications came.
"""

import json
import os
import sys
import time
from importlib.metadata import version

from whatsapp_api_client_python import API


def main() -> int:
    host, instance, token, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    api = API.GreenAPI(instance, token, host=host)
    out = open(os.devnull, "w")
    seen = 0

    def handler(type_webhook: str, body: dict) -> None:
        nonlocal seen
        out.write(json.dumps(body, ensure_ascii=False))
        out.write("\n")
        seen += 1
        if seen == n:
            # The loop deletes this one, then ends.
            api.webhooks.stopReceivingNotifications()

    started = time.perf_counter()
    api.webhooks.startReceivingNotifications(handler)
    elapsed = time.perf_counter() - started
    print(version("whatsapp-api-client-python"), f"{elapsed:.6f}")
    return 0 if seen == n else 1


if __name__ == "__main__":
    sys.exit(main())
