//! Demo data of email: Aurora has two templates, a mailing list with unsubscribes, a
//! bounce and a complaint, one email campaign sent for its launch (with what its
//! recipients did), one scheduled newsletter and a draft, and two automation rules;
//! Borealis has a template, two contacts and a draft. The demo has no mailchimp
//! connection, so the scheduled newsletter goes out once one is connected and it is
//! scheduled again.

use super::{brands, users};

/// The statements, after the marketing seed; `a` is the anchor date as SQL.
pub(super) fn steps(a: &str) -> Vec<(&'static str, String)> {
    let (b1, b2) = (brands::AURORA, brands::BOREALIS);
    let (manager, member) = (users::MANAGER, users::MEMBER);
    vec![
        (
            "email templates and automation rules",
            format!(
                "INSERT INTO email_templates (id, brand_id, name, subject, html_content, plain_text, variables,
                                              created_by, created_at)
                 VALUES
                 (md5('email-template:{b1}:monthly')::uuid, '{b1}', 'Monthly newsletter',
                  'What''s new at Aurora this month',
                  '<h1>Hello {{{{first_name}}}}</h1><p>This month''s roasts are in.</p>',
                  'Hello {{{{first_name}}}}, this month''s roasts are in.', ARRAY['first_name'], '{member}', {a} - 40),
                 (md5('email-template:{b1}:welcome')::uuid, '{b1}', 'Welcome',
                  'Welcome to Aurora Coffee', '<p>Thanks for joining us, {{{{first_name}}}}.</p>', NULL,
                  ARRAY['first_name'], '{member}', {a} - 38),
                 (md5('email-template:{b2}:trail')::uuid, '{b2}', 'Trail news',
                  'New trails this season', '<p>Lace up.</p>', NULL, ARRAY[]::text[], '{member}', {a} - 12);
                 INSERT INTO email_automation_rules (id, brand_id, name, trigger_type, trigger_conditions,
                                                     action_type, action_config, is_active, created_by, created_at)
                 VALUES
                 (md5('email-rule:{b1}:welcome')::uuid, '{b1}', 'Welcome new subscribers', 'contact_subscribed',
                  '{{}}', 'send_template',
                  jsonb_build_object('templateId', md5('email-template:{b1}:welcome')::uuid), true, '{manager}', {a} - 37),
                 (md5('email-rule:{b1}:engaged')::uuid, '{b1}', 'Tag engaged readers', 'email_clicked',
                  '{{\"minClicks\": 2}}', 'add_tag', '{{\"tag\": \"engaged\"}}', false, '{manager}', {a} - 20)"
            ),
        ),
        (
            "email contacts with unsubscribes",
            format!(
                "INSERT INTO email_contacts (id, brand_id, email, name, company, tags, subscription_status,
                                             status_changed_at, lead_id, created_by, created_at)
                 VALUES
                 (md5('email-contact:{b1}:1')::uuid, '{b1}', 'lena.fischer@example.com', 'Lena Fischer', 'Café Mitte',
                  ARRAY['loyalty','wholesale'], 'subscribed', NULL, md5('lead:{b1}:1')::uuid, '{member}', {a} - 30),
                 (md5('email-contact:{b1}:2')::uuid, '{b1}', 'jonas.weber@example.com', 'Jonas Weber', 'Weber Bakery',
                  ARRAY['wholesale'], 'subscribed', NULL, md5('lead:{b1}:2')::uuid, '{member}', {a} - 30),
                 (md5('email-contact:{b1}:3')::uuid, '{b1}', 'mia.schulz@example.com', 'Mia Schulz', NULL,
                  ARRAY['loyalty'], 'subscribed', NULL, NULL, '{member}', {a} - 29),
                 (md5('email-contact:{b1}:4')::uuid, '{b1}', 'noah.wagner@example.com', 'Noah Wagner', NULL,
                  ARRAY['loyalty'], 'unsubscribed', {a} - 8, NULL, '{member}', {a} - 29),
                 (md5('email-contact:{b1}:5')::uuid, '{b1}', 'emma.hoffmann@example.com', 'Emma Hoffmann', NULL,
                  ARRAY['loyalty'], 'subscribed', NULL, NULL, '{member}', {a} - 28),
                 (md5('email-contact:{b1}:6')::uuid, '{b1}', 'tom.becker@example.com', 'Tom Becker', NULL,
                  ARRAY['loyalty','vip'], 'unsubscribed', {a} - 3, md5('lead:{b1}:4')::uuid, '{member}', {a} - 28),
                 (md5('email-contact:{b1}:7')::uuid, '{b1}', 'old.address@example.com', NULL, NULL,
                  ARRAY['loyalty'], 'bounced', {a} - 10, NULL, '{member}', {a} - 27),
                 (md5('email-contact:{b1}:8')::uuid, '{b1}', 'no.spam@example.com', NULL, NULL,
                  ARRAY[]::text[], 'complained', {a} - 9, NULL, '{member}', {a} - 27),
                 (md5('email-contact:{b2}:1')::uuid, '{b2}', 'Lena.Fischer@example.com', 'Lena Fischer', NULL,
                  ARRAY['hiking'], 'subscribed', NULL, md5('lead:{b2}:1')::uuid, '{member}', {a} - 3),
                 (md5('email-contact:{b2}:2')::uuid, '{b2}', 'trail.runner@example.com', NULL, NULL,
                  ARRAY['hiking'], 'unsubscribed', {a} - 1, NULL, '{member}', {a} - 3)"
            ),
        ),
        (
            "email campaigns: sent, scheduled, draft",
            format!(
                "INSERT INTO email_campaigns (id, brand_id, campaign_id, template_id, name, subject, from_name,
                                              from_address, html_content, plain_text, audience_tags, status,
                                              scheduled_for, sent_at, recipient_count, created_by, created_at)
                 SELECT md5('email-campaign:{b1}:launch')::uuid, '{b1}'::uuid, md5('campaign:{b1}:launch')::uuid, t.id,
                        'Espresso launch announcement', 'Our new single-origin espresso is here', 'Aurora Coffee',
                        'hello@aurora.example', t.html_content, t.plain_text, ARRAY['loyalty'], 'sent',
                        {a} - 11, {a} - 10, 6, '{member}'::uuid, {a} - 12
                   FROM email_templates t WHERE t.id = md5('email-template:{b1}:monthly')::uuid
                 UNION ALL
                 SELECT md5('email-campaign:{b1}:newsletter')::uuid, '{b1}'::uuid, md5('campaign:{b1}:newsletter')::uuid, t.id,
                        'Loyalty newsletter', t.subject, 'Aurora Coffee', 'hello@aurora.example', t.html_content,
                        t.plain_text, ARRAY['loyalty'], 'scheduled', {a} + 12, NULL, 0, '{member}'::uuid, {a} - 2
                   FROM email_templates t WHERE t.id = md5('email-template:{b1}:monthly')::uuid
                 UNION ALL
                 SELECT md5('email-campaign:{b1}:welcome')::uuid, '{b1}'::uuid, NULL, t.id, 'Welcome series, part 1',
                        t.subject, 'Aurora Coffee', NULL, t.html_content, NULL, ARRAY[]::text[], 'draft', NULL, NULL, 0,
                        '{member}'::uuid, {a} - 1
                   FROM email_templates t WHERE t.id = md5('email-template:{b1}:welcome')::uuid
                 UNION ALL
                 SELECT md5('email-campaign:{b2}:kickoff')::uuid, '{b2}'::uuid, md5('campaign:{b2}:trail')::uuid, t.id,
                        'Trail season kickoff', t.subject, NULL, NULL, t.html_content, NULL, ARRAY['hiking'], 'draft',
                        NULL, NULL, 0, '{member}'::uuid, {a} - 2
                   FROM email_templates t WHERE t.id = md5('email-template:{b2}:trail')::uuid;
                 -- Who the launch announcement reached (the loyalty list of that day) and what they did.
                 INSERT INTO email_campaign_recipients (email_campaign_id, contact_id, brand_id, delivered_at,
                                                        opened_at, clicked_at, bounced_at, unsubscribed_at, created_at)
                 SELECT md5('email-campaign:{b1}:launch')::uuid, c.id, c.brand_id,
                        CASE WHEN c.subscription_status <> 'bounced' THEN {a} - 10 + interval '5 minutes' END,
                        CASE WHEN c.name IN ('Lena Fischer', 'Mia Schulz', 'Tom Becker') THEN {a} - 10 + interval '2 hours' END,
                        CASE WHEN c.name = 'Lena Fischer' THEN {a} - 10 + interval '3 hours' END,
                        CASE WHEN c.subscription_status = 'bounced' THEN {a} - 10 + interval '5 minutes' END,
                        CASE WHEN c.name = 'Noah Wagner' THEN {a} - 8 END,
                        {a} - 10
                   FROM email_contacts c
                  WHERE c.brand_id = '{b1}' AND 'loyalty' = ANY (c.tags);
                 INSERT INTO email_events (id, brand_id, provider, provider_event_id, type, email_campaign_id,
                                           contact_id, occurred_at, created_at)
                 SELECT md5('email-event:' || r.contact_id || ':' || e.kind)::uuid, r.brand_id, 'mailchimp',
                        'demo-' || md5(r.contact_id::text || e.kind), e.kind, r.email_campaign_id, r.contact_id,
                        e.at, e.at
                   FROM email_campaign_recipients r
                  CROSS JOIN LATERAL (VALUES ('delivered', r.delivered_at), ('opened', r.opened_at),
                                             ('clicked', r.clicked_at), ('bounced', r.bounced_at),
                                             ('unsubscribed', r.unsubscribed_at)) AS e(kind, at)
                  WHERE e.at IS NOT NULL;
                 INSERT INTO lead_activities (id, brand_id, lead_id, type, metadata, created_at)
                 SELECT md5('lead-activity:email:' || c.lead_id || ':' || e.type)::uuid, e.brand_id, c.lead_id,
                        CASE e.type WHEN 'delivered' THEN 'email_sent' WHEN 'opened' THEN 'email_opened'
                                    WHEN 'clicked' THEN 'email_clicked' ELSE 'email_unsubscribed' END,
                        jsonb_build_object('email_campaign_id', e.email_campaign_id, 'provider', e.provider,
                                           'event', e.type),
                        e.occurred_at
                   FROM email_events e JOIN email_contacts c ON c.id = e.contact_id
                  WHERE c.lead_id IS NOT NULL AND e.type IN ('delivered', 'opened', 'clicked', 'unsubscribed')"
            ),
        ),
    ]
}
