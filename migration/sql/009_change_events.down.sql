DROP TABLE IF EXISTS change_events;
