DROP TABLE IF EXISTS milestones, brand_members, brands, users, tenants;
DROP FUNCTION IF EXISTS set_updated_at();
