-- Q3's ceiling.
SELECT filename, size_bytes FROM media_assets WHERE brand_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50
