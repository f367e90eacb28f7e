-- The change log is written by the capture triggers only (docs/row-security.md). Until
-- now the gateway's role held INSERT on `change_events` and a policy admitted any row
-- (`captured`, 026), so a gateway bug could have forged an event into another brand's
-- stream. Here every function that writes the log runs as its owner (SECURITY DEFINER,
-- search_path pinned), the gateway loses INSERT, and the insert policy admits the owner
-- only. A capture trigger fires only for a change the row's own policies admitted.
DO $$
DECLARE
  f REGPROCEDURE;
  owner NAME := (SELECT tableowner FROM pg_tables
                  WHERE schemaname = 'public' AND tablename = 'change_events');
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND p.prosrc ~* 'into\s+change_events'
       AND NOT p.prosecdef
  LOOP
    EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_temp', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO brandgraph_gateway', f);
  END LOOP;
  EXECUTE format('ALTER POLICY captured ON change_events TO %I', owner);
END
$$;
REVOKE INSERT ON change_events FROM brandgraph_gateway;
