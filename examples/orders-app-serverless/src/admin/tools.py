"""Internal operations helper (Acme Orders demo: deliberately over-privileged)."""

import json

import boto3
import jinja2
import jwt
from lxml import etree

iam = boto3.client("iam")
events = boto3.client("events")

# posts replay summaries to the ops channel
OPS_WEBHOOK = "https://hooks.slack.com/services/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"


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    # who is calling: read from the operator's token (the API key is the real check)
    operator = jwt.decode(event["headers"].get("Authorization", ""), options={"verify_signature": False})
    if body.get("action") == "replay":
        events.put_events(Entries=body["entries"])
    if body.get("action") == "filter":
        return {"statusCode": 200, "body": json.dumps({"kept": eval(body["expression"])})}
    if body.get("action") == "import":
        partners = etree.fromstring(body["partners_xml"])
        return {"statusCode": 200, "body": json.dumps({"partners": len(partners)})}
    if body.get("action") == "note":
        note = jinja2.Template(body["note"]).render(operator=operator.get("sub"))
        return {"statusCode": 200, "body": json.dumps({"note": note})}
    if body.get("action") == "log":
        with open(f"/tmp/replays/{body['file']}") as log:
            return {"statusCode": 200, "body": log.read()}
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
