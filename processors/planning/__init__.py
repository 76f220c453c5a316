"""Planning the framework's activities outside the six-weekly cycle (issue 14): commissioned case audits,
practice weeks and leaders' annual observations. Each plans with the allocation's conflict rules."""
