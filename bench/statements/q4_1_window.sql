-- Q4 as session 8 sent it.
SELECT child.child__rank AS child__rank,
       CASE WHEN coalesce(child.child__rank, 1) = 1 THEN to_jsonb(parent) END AS parent__row, child.*
  FROM (SELECT "brands".* FROM "brands" WHERE "brands"."id" IN ($1) AND "brands"."archived_at" IS NULL AND "brands"."id" = $1 LIMIT 1) AS parent
  LEFT JOIN LATERAL (SELECT ranked.*, row_number() OVER () AS child__rank FROM (SELECT "analytics_metrics"."id", "analytics_metrics"."brand_id", "analytics_metrics"."tenant_id", "analytics_metrics"."platform", "analytics_metrics"."post_id", "analytics_metrics"."date", "analytics_metrics"."created_at", "analytics_metrics"."updated_at", jsonb_build_object('reach', "analytics_metrics"."metrics" -> 'reach') AS "metrics", NULL::jsonb AS "metadata" FROM "analytics_metrics" WHERE ("analytics_metrics"."date" BETWEEN $2 AND $3) AND "analytics_metrics"."platform" = 'instagram' AND ("analytics_metrics"."brand_id" = parent.id)) AS ranked) AS child ON true
 ORDER BY child.date, child.platform, child.post_id
