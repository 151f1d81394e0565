"""Organisation scale: remit over many repositories and accounts, on an existing engine (docs/org.md).

``plan`` lists the targets with a digest of each input; ``run`` runs them (all, or one shard) on the ``local``
engine or a Dask cluster, each as plain ``remit`` command lines (``worker``), writing remit's JSON report and a
status record atomically (``status``); ``merge`` joins the reports into one organisation report.
"""
