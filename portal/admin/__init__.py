"""Administration: users and roles, the audit log, and the mail viewer."""
