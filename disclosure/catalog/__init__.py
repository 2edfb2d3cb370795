"""审批事项 — the catalog of approval items, their procedures, forms and submission format."""
