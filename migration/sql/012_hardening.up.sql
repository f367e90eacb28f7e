-- One active goal per brand and metric, enforced by the database so concurrent upserts
-- cannot create two (the gateway upserts with ON CONFLICT against this index).
-- Older duplicates, if any, are closed first: the newest active goal stays active.
UPDATE analytics_goals g SET status = 'superseded'
 WHERE g.status = 'active'
   AND EXISTS (SELECT 1 FROM analytics_goals newer
                WHERE newer.brand_id = g.brand_id AND newer.metric = g.metric
                  AND newer.status = 'active'
                  AND (newer.created_at, newer.id) > (g.created_at, g.id));

CREATE UNIQUE INDEX analytics_goals_one_active_per_metric
  ON analytics_goals (brand_id, metric) WHERE status = 'active';
