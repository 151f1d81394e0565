"""Sends orders to the warehouse (Acme Orders demo)."""

import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        print(f"fulfilling {order.get('id')}")
    return {"ok": True}
