"""Inbound mail: parse what the mail server hands over, classify it, match it, hand it on.

``parse`` decodes any message leniently into valid UTF-8; ``quotes`` cuts the quoted history from
a reply; ``classify`` recognises auto-replies, read receipts, bounces and loops; ``ingest`` stores
the raw message first and then decides; ``imap`` polls a mailbox. The kernel never imports a
feature: features register a handler per address tag in ``FeatureRegistry.inbound_handlers``.
"""
