"""Outgoing webhooks: tenants register a URL; events are posted to it, with retries."""
import hashlib
import hmac
import json
import time

import requests

from app.models import WebhookDelivery

session = requests.Session()


def signature(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(config, attempt):
    base = config.get("retry_base", 2)
    return min(base**attempt, 300)


def timeout_for(config):
    return config.get("timeout", 10)


def deliver(config, event):
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "X-Signature": signature(config["secret"], body)}
    resp = session.post(config["url"], data=body, headers=headers, timeout=config["timeout"])
    WebhookDelivery.log(config["id"], event["id"], resp.status_code)
    return resp.ok


def deliver_with_retries(config, event, attempts=5):
    for attempt in range(attempts):
        if deliver(config, event):
            return True
        time.sleep(retry_delay(config, attempt))
    return False
