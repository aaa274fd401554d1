"""Notify: subscriptions to alerts, the outbox written with each alert change, and the
delivery loop that sends webhooks and e-mail from it."""
