"""Nightly sales report, posted to a partner callback (Acme Orders demo: deliberately vulnerable)."""

import json
import os

import boto3
import reqeusts  # noqa: F401  (a typo that installs a look-alike package)
import requests

secrets = boto3.client("secretsmanager")
s3 = boto3.client("s3")


def handler(event, context):
    creds = json.loads(secrets.get_secret_value(SecretId=os.environ["PAYMENT_SECRET_ARN"])["SecretString"])
    report = {"orders": 42, "revenue": 1234.5}
    s3.put_object(Bucket=os.environ["REPORTS_BUCKET"], Key="latest.json", Body=json.dumps(report))
    callback = (event.get("detail") or {}).get("callback_url")
    if callback:
        requests.post(callback, json=report, headers={"X-Partner-Key": creds["password"]}, timeout=5)
    return report
