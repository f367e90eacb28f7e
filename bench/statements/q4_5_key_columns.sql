-- Q4 with each metric key read as a column of its own (no jsonb_build_object per row).
WITH parent AS MATERIALIZED (SELECT "brands".* FROM "brands" WHERE "brands"."id" IN ($1) AND "brands"."archived_at" IS NULL AND "brands"."id" = $1 LIMIT 1)
SELECT to_jsonb(parent) AS parent__row, child.* FROM parent
  LEFT JOIN LATERAL (SELECT * FROM (SELECT "analytics_metrics"."brand_id", "analytics_metrics"."platform", "analytics_metrics"."post_id", "analytics_metrics"."date", "analytics_metrics"."metrics" -> 'reach' AS "metrics.reach" FROM "analytics_metrics" WHERE ("analytics_metrics"."date" BETWEEN $2 AND $3) AND "analytics_metrics"."platform" = 'instagram' AND ("analytics_metrics"."brand_id" = parent.id)) AS child WHERE false) AS child ON true
UNION ALL
(SELECT NULL, child.* FROM parent CROSS JOIN LATERAL (SELECT "analytics_metrics"."brand_id", "analytics_metrics"."platform", "analytics_metrics"."post_id", "analytics_metrics"."date", "analytics_metrics"."metrics" -> 'reach' AS "metrics.reach" FROM "analytics_metrics" WHERE ("analytics_metrics"."date" BETWEEN $2 AND $3) AND "analytics_metrics"."platform" = 'instagram' AND ("analytics_metrics"."brand_id" = parent.id)) AS child
  ORDER BY child.date, child.platform, child.post_id)
