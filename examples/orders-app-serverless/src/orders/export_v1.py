"""First version of the order export, replaced by app.export (Acme Orders demo: left in the package)."""

import os


def handler(event, context):
    name = event.get("name", "orders")
    os.system(f"zip -r /tmp/{name}.zip /tmp/export")
    return {"exported": name}
