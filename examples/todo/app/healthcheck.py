"""The container's health check: exit 0 when the app's /healthz answers 200 within 2 seconds."""

import sys
import urllib.request

try:
    with urllib.request.urlopen("http://127.0.0.1:8000/healthz", timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception as e:  # noqa: BLE001 - any failure is unhealthy
    print(e)
    sys.exit(1)
