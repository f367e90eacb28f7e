DROP TABLE IF EXISTS auto_plans, advisor_feedback, analytics_goals, analytics_sync_logs, analytics_metrics;
