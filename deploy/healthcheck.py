"""The container's HEALTHCHECK: GET /readyz on the daemon's own endpoint; exit 0 when ready.

The port comes from BILAT_MONITOR__SERVER__LISTEN (default 8686); when the endpoint is bound
beyond loopback it wants the bearer token, read from the variable that
BILAT_MONITOR__SERVER__TOKEN_ENV names. Standard library only: it runs with the image's
python, outside bilat.
"""

import os
import sys
import urllib.request

listen = os.environ.get("BILAT_MONITOR__SERVER__LISTEN", "127.0.0.1:8686")
port = listen.rpartition(":")[2] or "8686"
request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz")
token = os.environ.get(os.environ.get("BILAT_MONITOR__SERVER__TOKEN_ENV", ""), "")
if token:
    request.add_header("Authorization", f"Bearer {token}")
try:
    with urllib.request.urlopen(request, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # 503 (with the reason), refused, timeout
    print(f"not ready: {exc}", file=sys.stderr)
    sys.exit(1)
