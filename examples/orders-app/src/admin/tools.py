"""Internal operations helper (Acme Orders demo: deliberately over-privileged)."""

import json

import boto3

iam = boto3.client("iam")
events = boto3.client("events")


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    if body.get("action") == "replay":
        events.put_events(Entries=body["entries"])
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
