"""Drift rules (RMT-DRIFT-*): a live account scanned with its templates, judged by ``remit.live.join.drift``."""
