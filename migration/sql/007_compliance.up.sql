-- Compliance & audit.

CREATE TABLE client_settings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id UUID REFERENCES users(id),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  email_preferences JSONB NOT NULL DEFAULT '{
    "approvalsNeeded": true, "approvalReminders": true, "publishFailures": true,
    "publishSuccess": false, "weeklyDigest": false, "dailyDigest": false,
    "reminderFrequency": "24h", "digestFrequency": "weekly", "maxEmailsPerDay": 20
  }'::jsonb,
  timezone TEXT DEFAULT 'America/Chicago',
  language TEXT DEFAULT 'en',
  unsubscribe_token TEXT,
  unsubscribed_from_all BOOLEAN DEFAULT false,
  unsubscribed_types TEXT[],
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_modified_by TEXT,
  CONSTRAINT client_settings_unsubscribe_token_key UNIQUE (unsubscribe_token),
  CONSTRAINT client_settings_client_id_brand_id_key UNIQUE (client_id, brand_id)
);

-- Audit rows outlive the brand and the user they mention (ON DELETE SET NULL).
CREATE TABLE audit_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID REFERENCES brands(id) ON DELETE SET NULL,
  user_id UUID REFERENCES users(id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT,
  metadata JSONB DEFAULT '{}'::jsonb,
  ip_address VARCHAR(45),
  user_agent TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_brand_id_created_at_idx ON audit_logs (brand_id, created_at DESC);
CREATE INDEX audit_logs_resource_idx ON audit_logs (resource_type, resource_id);

CREATE TABLE webhook_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID REFERENCES brands(id) ON DELETE SET NULL,
  provider TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload JSONB NOT NULL,
  idempotency_key TEXT,
  status TEXT NOT NULL DEFAULT 'received',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT webhook_events_idempotency_key_key UNIQUE (idempotency_key)
);

CREATE TABLE escalation_rules (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  rule_type TEXT NOT NULL,
  trigger_hours INTEGER NOT NULL,
  escalate_to_role TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE escalation_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id UUID NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  approval_id UUID REFERENCES post_approvals(id) ON DELETE CASCADE,
  rule_id UUID REFERENCES escalation_rules(id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at TIMESTAMPTZ
);
CREATE INDEX escalation_events_brand_id_status_idx ON escalation_events (brand_id, status);
