"""机构人员信息 — the directory: departments, their leaders, staff and positions."""
