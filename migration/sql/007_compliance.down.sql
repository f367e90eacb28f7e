DROP TABLE IF EXISTS escalation_events, escalation_rules, webhook_events, audit_logs, client_settings;
