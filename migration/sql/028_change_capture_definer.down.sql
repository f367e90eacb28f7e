DO $$
DECLARE
  f REGPROCEDURE;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace AND p.prosrc ~* 'into\s+change_events'
       AND p.prorettype = 'trigger'::regtype AND p.prosecdef
  LOOP
    EXECUTE format('ALTER FUNCTION %s SECURITY INVOKER RESET search_path', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f);
  END LOOP;
END
$$;
ALTER POLICY captured ON change_events TO PUBLIC;
GRANT INSERT ON change_events TO brandgraph_gateway;
