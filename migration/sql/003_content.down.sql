DROP TABLE IF EXISTS scheduled_content, content_items;
