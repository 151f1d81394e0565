"""Makes thumbnails of product images partners upload (Acme Orders demo: deliberately vulnerable)."""

import os
import urllib.parse

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["UPLOADS_BUCKET"]


def handler(event, context):
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        local = f"/tmp/{os.path.basename(key)}"
        s3.download_file(BUCKET, key, local)
        # the object key comes from whoever uploaded the file
        os.system(f"convert {local} -resize 200x200 /tmp/thumb-{key}")
        s3.upload_file(f"/tmp/thumb-{key}", BUCKET, f"thumbnails/{key}")
