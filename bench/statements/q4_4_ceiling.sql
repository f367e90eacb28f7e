-- Q4's ceiling.
SELECT date, metrics->'reach' FROM analytics_metrics
 WHERE brand_id = $1 AND platform = 'instagram' AND date BETWEEN $2 AND $3 ORDER BY date, post_id
