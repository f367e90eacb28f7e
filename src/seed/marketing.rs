//! Demo data of campaigns and leads: Aurora runs a launch (active, with spend, tasks,
//! metrics, linked content and leads), plans a newsletter (draft) and finished an
//! awareness push (completed), and takes leads from its website through a form key;
//! Borealis has one paused campaign and leads scored by its rules (one of them shares
//! an address with one of Aurora's leads: uniqueness is per brand). Aurora's scores are
//! set by hand (a brand without rules), Borealis' are computed by the database. Cascade
//! followed up a trade fair: 300 leads with one to four activities each, so a list of
//! leads has pages to turn and a ranking by score to read.

use super::{brands, users};

/// Aurora's publishable form key (the README's `curl` example posts to it).
pub const DEMO_FORM_KEY: &str = "lfk_0123456789abcdef0123456789abcdef";

/// The statements, after the core seed; `a` is the anchor date as SQL.
pub(super) fn steps(a: &str) -> Vec<(&'static str, String)> {
    let (b1, b2, b3) = (brands::AURORA, brands::BOREALIS, brands::CASCADE);
    let (manager, member) = (users::MANAGER, users::MEMBER);
    vec![
        (
            "campaigns with tasks",
            format!(
                "INSERT INTO campaigns (id, brand_id, name, description, type, channel, status,
                                        budget_total, budget_allocated, budget_spent, start_date, end_date,
                                        objective, target_audience, channels, kpi_targets, created_by, created_at)
                 VALUES
                 (md5('campaign:{b1}:launch')::uuid, '{b1}', 'Spring Espresso Launch',
                  'Launch of the new single-origin espresso.', 'product_launch', 'instagram', 'active',
                  5000, 3000, 1240.50, {a} - 14, {a} + 30, 'Sell 2,000 bags in the first month',
                  '{{\"segments\": [\"espresso lovers\"], \"regions\": [\"Berlin\"]}}',
                  ARRAY['instagram','email'], '{{\"leads\": 200, \"cpl\": 12.5}}', '{manager}', {a} - 20),
                 (md5('campaign:{b1}:newsletter')::uuid, '{b1}', 'Loyalty Newsletter',
                  'Monthly newsletter for loyalty members.', 'email', 'email', 'draft',
                  800, 0, 0, {a} + 10, {a} + 100, 'Keep repeat buyers engaged',
                  '{{\"segments\": [\"loyalty\"]}}', ARRAY['email'], '{{\"open_rate\": 0.35}}', '{manager}', {a} - 10),
                 (md5('campaign:{b1}:awareness')::uuid, '{b1}', 'Autumn Awareness',
                  'Local awareness push before the holidays.', 'brand_awareness', 'facebook', 'completed',
                  2000, 2000, 1985, {a} - 80, {a} - 30, 'Reach 100k locals',
                  '{{}}', ARRAY['facebook','instagram'], '{{\"reach\": 100000}}', '{manager}', {a} - 90),
                 (md5('campaign:{b2}:trail')::uuid, '{b2}', 'Trail Season',
                  'Gear for the summer trail season.', 'mixed', 'instagram', 'paused',
                  3000, 1500, 200, {a} - 5, {a} + 60, 'Grow the trail community',
                  '{{}}', ARRAY['instagram'], '{{}}', '{manager}', {a} - 8);
                 INSERT INTO campaign_tasks (id, brand_id, campaign_id, title, status, priority, due_date,
                                             completed_at, created_by, created_at)
                 SELECT md5('task:' || c.id || ':' || n)::uuid, c.brand_id, c.id, t.title, t.status, t.priority,
                        c.created_at + (n * 7) * interval '1 day',
                        CASE WHEN t.status = 'completed' THEN c.created_at + (n * 6) * interval '1 day' END,
                        '{manager}', c.created_at + n * interval '1 hour'
                   FROM campaigns c
                  CROSS JOIN (VALUES (1, 'Brief the designers', 'completed', 'high'),
                                     (2, 'Book the ads', 'in_progress', 'medium'),
                                     (3, 'Report results', 'pending', 'low')) AS t(n, title, status, priority)"
            ),
        ),
        (
            "campaign metrics and linked content",
            format!(
                "INSERT INTO campaign_metrics (id, brand_id, campaign_id, date, metric, value, created_at)
                 SELECT md5('campaign-metric:' || c.id || ':' || m || ':' || d)::uuid, c.brand_id, c.id,
                        {a} - d, m,
                        CASE m WHEN 'spend' THEN 80 + d * 3.5 WHEN 'impressions' THEN 4000 + d * 250 ELSE 20 + d END,
                        ({a} - d)::timestamptz + interval '23 hours'
                   FROM campaigns c
                  CROSS JOIN unnest(ARRAY['spend','impressions','clicks']) AS m
                  CROSS JOIN generate_series(0, 13) AS d
                  WHERE c.status = 'active';
                 UPDATE content_items SET campaign_id = md5('campaign:{b1}:launch')::uuid
                  WHERE id IN (SELECT id FROM content_items WHERE brand_id = '{b1}' ORDER BY created_at DESC LIMIT 4)"
            ),
        ),
        (
            "Borealis' lead scoring rules",
            // Before its leads, so the insert trigger scores them; no rescore is queued
            // (there is nothing to rescore).
            format!(
                "INSERT INTO lead_scoring_rules (id, brand_id, name, condition, weight, created_by, created_at)
                 SELECT md5('scoring-rule:{b2}:' || r.name)::uuid, '{b2}', r.name, r.condition::jsonb, r.weight,
                        '{owner}', {a} - 30
                   FROM (VALUES
                     ('submitted a form', '{{\"activity\": \"form_submitted\"}}', 15),
                     ('opened two emails', '{{\"activity\": \"email_opened\", \"min_count\": 2}}', 10),
                     ('talked to us', '{{\"any\": [{{\"activity\": \"call\"}}, {{\"activity\": \"meeting\"}}]}}', 20),
                     ('larger company', '{{\"field\": \"company_size\", \"in\": [\"medium\", \"enterprise\"]}}', 25),
                     ('outdoor trade', '{{\"field\": \"industry\", \"in\": [\"retail\", \"sports\"]}}', 10),
                     ('left a phone number', '{{\"field\": \"phone\", \"present\": true}}', 10)
                   ) AS r(name, condition, weight);
                 DELETE FROM lead_rescore_queue WHERE brand_id = '{b2}'",
                owner = users::OWNER
            ),
        ),
        (
            "leads and their activities",
            format!(
                "INSERT INTO leads (id, brand_id, name, email, phone, company, source, status, score, tags,
                                    campaign_id, notes, converted_at, lost_reason, created_by, created_at)
                 VALUES
                 (md5('lead:{b1}:1')::uuid, '{b1}', 'Lena Fischer', 'lena.fischer@example.com', '+49 30 1234501',
                  'Café Mitte', 'website', 'new', 35, ARRAY['wholesale'], md5('campaign:{b1}:launch')::uuid,
                  'Asked for wholesale prices.', NULL, NULL, '{member}', {a} - 6),
                 (md5('lead:{b1}:2')::uuid, '{b1}', 'Jonas Weber', 'jonas.weber@example.com', '+49 30 1234502',
                  'Weber Bakery', 'event', 'contacted', 55, ARRAY['wholesale','bakery'], md5('campaign:{b1}:launch')::uuid,
                  NULL, NULL, NULL, '{member}', {a} - 5),
                 (md5('lead:{b1}:3')::uuid, '{b1}', 'Amira Haddad', 'amira.haddad@example.com', NULL,
                  'Haddad Hotels', 'referral', 'qualified', 80, ARRAY['hospitality','vip'], md5('campaign:{b1}:launch')::uuid,
                  'Three hotels, weekly delivery.', NULL, NULL, '{member}', {a} - 4),
                 (md5('lead:{b1}:4')::uuid, '{b1}', 'Tom Becker', 'tom.becker@example.com', '+49 30 1234504',
                  NULL, 'email', 'converted', 90, ARRAY['vip'], md5('campaign:{b1}:awareness')::uuid,
                  NULL, {a} - 35, NULL, '{member}', {a} - 60),
                 (md5('lead:{b1}:5')::uuid, '{b1}', 'Sofia Rossi', 'sofia.rossi@example.com', NULL,
                  'Rossi Deli', 'social', 'lost', 20, ARRAY[]::text[], md5('campaign:{b1}:awareness')::uuid,
                  NULL, NULL, 'Chose a cheaper roaster', '{member}', {a} - 55),
                 (md5('lead:{b1}:6')::uuid, '{b1}', 'Paul Klein', 'paul.klein@example.com', NULL,
                  NULL, 'manual', 'new', 10, ARRAY[]::text[], NULL,
                  NULL, NULL, NULL, '{member}', {a} - 1);
                 -- No score: Borealis' rules compute it (the insert trigger, then each activity).
                 INSERT INTO leads (id, brand_id, name, email, phone, company, industry, company_size, source,
                                    status, tags, campaign_id, created_by, created_at)
                 VALUES
                 (md5('lead:{b2}:1')::uuid, '{b2}', 'Lena Fischer', 'Lena.Fischer@example.com', NULL,
                  NULL, NULL, NULL, 'website', 'new', ARRAY['hiking'], md5('campaign:{b2}:trail')::uuid, '{member}', {a} - 3),
                 (md5('lead:{b2}:2')::uuid, '{b2}', 'Erik Lindqvist', 'erik@fjellgear.example', '+46 8 555 0102',
                  'Fjell Gear', 'retail', 'medium', 'event', 'contacted', ARRAY['wholesale'],
                  md5('campaign:{b2}:trail')::uuid, '{member}', {a} - 4),
                 (md5('lead:{b2}:3')::uuid, '{b2}', 'Hanna Berg', 'hanna.berg@example.com', NULL,
                  'Berg Guides', 'tourism', 'small', 'website', 'new', ARRAY['guides'],
                  md5('campaign:{b2}:trail')::uuid, '{member}', {a} - 2),
                 (md5('lead:{b2}:4')::uuid, '{b2}', 'Noah Meier', 'noah@alpinclub.example', '+41 44 555 0104',
                  'Alpin Club', 'sports', 'enterprise', 'referral', 'qualified', ARRAY['club','vip'],
                  md5('campaign:{b2}:trail')::uuid, '{member}', {a} - 6),
                 (md5('lead:{b2}:5')::uuid, '{b2}', 'Ines Costa', 'ines.costa@example.com', NULL,
                  NULL, NULL, NULL, 'social', 'new', ARRAY[]::text[], NULL, '{member}', {a} - 1);
                 INSERT INTO lead_activities (id, brand_id, lead_id, type, description, metadata, created_by, created_at)
                 SELECT md5('lead-activity:' || l.id || ':' || k)::uuid, l.brand_id, l.id,
                        (ARRAY['form_submitted','email_opened','call'])[k], NULL,
                        jsonb_build_object('demo', true), '{member}', l.created_at + k * interval '1 hour'
                   FROM leads l CROSS JOIN generate_series(1, 2) AS k;
                 INSERT INTO lead_activities (id, brand_id, lead_id, type, description, metadata, created_by, created_at)
                 SELECT md5('lead-activity:' || l.id || ':' || x.type)::uuid, l.brand_id, l.id, x.type, x.description,
                        jsonb_build_object('demo', true), '{member}', l.created_at + interval '1 day'
                   FROM leads l
                   JOIN (VALUES (md5('lead:{b2}:2')::uuid, 'email_opened', NULL),
                                (md5('lead:{b2}:4')::uuid, 'email_opened', NULL),
                                (md5('lead:{b2}:4')::uuid, 'call', 'Club order for 40 members')) AS x(lead, type, description)
                     ON x.lead = l.id"
            ),
        ),
        (
            "Cascade's trade fair leads",
            // Deterministic: every varying value is derived from the lead's number.
            format!(
                "INSERT INTO campaigns (id, brand_id, name, description, type, channel, status,
                                        budget_total, budget_allocated, budget_spent, start_date, end_date,
                                        objective, target_audience, channels, kpi_targets, created_by, created_at)
                 VALUES (md5('campaign:{b3}:fair')::uuid, '{b3}', 'Spring Trade Fair Follow-up',
                         'Leads met at the spring trade fair, worked through the quarter.', 'event', 'email',
                         'active', 4000, 2500, 1900, {a} - 40, {a} + 50, 'Turn fair contacts into accounts',
                         '{{\"segments\": [\"retailers\", \"distributors\"]}}', ARRAY['email','linkedin'],
                         '{{\"leads\": 300, \"conversions\": 30}}', '{manager}', {a} - 45);
                 INSERT INTO leads (id, brand_id, name, email, company, industry, company_size, source, status,
                                    score, tags, campaign_id, converted_at, lost_reason, created_by, created_at)
                 SELECT md5('lead:{b3}:fair:' || n)::uuid, '{b3}',
                        (ARRAY['Alex','Maria','Kenji','Fatima','Lukas','Chloe','Omar','Elena','Ravi','Sara'])[1 + n % 10]
                          || ' ' ||
                        (ARRAY['Novak','Silva','Tanaka','Khan','Wagner','Dubois','Haddad','Petrov','Iyer','Lund'])[1 + (n / 10) % 10],
                        'fair.lead' || n || '@cascade-contacts.example',
                        'Fair Exhibitor ' || (1 + n % 120),
                        (ARRAY['retail','hospitality','sports','tourism','wholesale'])[1 + n % 5],
                        (ARRAY['startup','small','medium','enterprise'])[1 + n % 4],
                        'event',
                        (ARRAY['new','contacted','qualified','converted','lost'])[1 + (n * 7) % 5],
                        (n * 37) % 101,
                        CASE WHEN n % 9 = 0 THEN ARRAY['vip'] ELSE ARRAY['fair'] END,
                        md5('campaign:{b3}:fair')::uuid,
                        CASE WHEN (n * 7) % 5 = 3 THEN ({a} - 30)::timestamptz + n * interval '2 hours' END,
                        CASE WHEN (n * 7) % 5 = 4 THEN 'No budget this year' END,
                        '{member}', ({a} - 38)::timestamptz + n * interval '1 hour'
                   FROM generate_series(1, 300) AS n;
                 INSERT INTO lead_activities (id, brand_id, lead_id, type, metadata, created_by, created_at)
                 SELECT md5('lead-activity:' || l.id || ':' || k)::uuid, l.brand_id, l.id,
                        (ARRAY['form_submitted','email_opened','email_clicked','call','meeting','page_visit'])[1 + (k + n) % 6],
                        jsonb_build_object('demo', true), '{member}', l.created_at + k * interval '1 day'
                   FROM generate_series(1, 300) AS n
                   JOIN leads l ON l.id = md5('lead:{b3}:fair:' || n)::uuid
                  CROSS JOIN generate_series(1, 1 + n % 4) AS k"
            ),
        ),
        (
            "Aurora's website form key",
            format!(
                "INSERT INTO lead_form_keys (id, brand_id, key, name, allowed_origins, source, campaign_id,
                                             created_by, created_at)
                 VALUES (md5('form-key:{b1}:website')::uuid, '{b1}', '{DEMO_FORM_KEY}', 'Aurora website',
                         ARRAY['https://www.aurora.example', 'http://127.0.0.1:8080', 'http://localhost:8080'],
                         'website', md5('campaign:{b1}:launch')::uuid, '{admin}', {a} - 20)",
                admin = users::ADMIN
            ),
        ),
    ]
}
