"""Order lookup, search and export for the storefront (Acme Orders demo: deliberately vulnerable)."""

import json
import os
import subprocess

import boto3
import yaml

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["ORDERS_TABLE"])
client = boto3.client("dynamodb")
s3 = boto3.client("s3")

# module-level cache that outlives one invocation
LAST_SEARCH = {}


def _response(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def get_order(order_id):
    # PartiQL built from the path parameter
    statement = f"SELECT * FROM \"{os.environ['ORDERS_TABLE']}\" WHERE id = '{order_id}'"
    return client.execute_statement(Statement=statement)["Items"]


def _html(status, page):
    return {"statusCode": status, "headers": {"Content-Type": "text/html"}, "body": page}


def search(params):
    customer = params.get("customer", "")
    LAST_SEARCH["customer"] = customer
    return table.scan(FilterExpression=f"customer = {customer}")["Items"]


def search_page(params):
    if params.get("next"):  # back to where the storefront sent the customer from
        return {"statusCode": 302, "headers": {"Location": params["next"]}}
    items = search(params)
    return _html(200, f"<h1>Orders of {params.get('customer', '')}</h1><p>{len(items)} found</p>")


def export(body):
    options = yaml.load(body.get("options", "{}"), Loader=yaml.Loader)
    name = body.get("name", "orders")
    subprocess.run(f"zip -r /tmp/{name}.zip /tmp/export", shell=True, check=False)
    s3.upload_file(f"/tmp/{name}.zip", options.get("bucket", "acme-exports"), f"{name}.zip")
    return {"exported": name}


def handler(event, context):
    try:
        method = event["httpMethod"]
        if method == "GET" and event.get("pathParameters"):
            return _response(200, get_order(event["pathParameters"]["id"]))
        if method == "GET" and (event.get("queryStringParameters") or {}).get("format") == "html":
            return search_page(event["queryStringParameters"])
        if method == "GET":
            return _response(200, search(event.get("queryStringParameters") or {}))
        return _response(200, export(json.loads(event["body"])))
    except Exception as exc:  # the stack trace goes back to the caller
        import traceback

        return _response(500, {"error": str(exc), "trace": traceback.format_exc()})
