DROP FUNCTION IF EXISTS erase_change_event_payloads(UUID, UUID[], TEXT);
DROP FUNCTION IF EXISTS erase_lead_activities(UUID, UUID[]);
DROP TABLE IF EXISTS privacy_audit_log;
DROP TABLE IF EXISTS data_deletion_requests;
DROP TABLE IF EXISTS data_export_requests;
