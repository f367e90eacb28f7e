DROP TABLE IF EXISTS workflow_notifications, workflow_instances, workflow_templates, approval_requests, post_approvals;
