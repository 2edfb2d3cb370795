"""Outbound mail: the transactional outbox and the dispatcher that delivers it over SMTP."""
