-- A read-only role for the archive's consumers: researchers, notebooks, dashboards.
--
-- Run once as the role that owns the archive (the one `fazhi db upgrade` connects as), in the
-- archive's database:   psql "$FAZHI_DATABASE_URL" -f docs/readonly-role.sql
-- then give it to each consumer's login (the second line is optional, a lock behind the
-- GRANTs: the login's transactions are read-only unless it says otherwise):
--   CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE fazhi_reader;
--   ALTER ROLE alice SET default_transaction_read_only = on;
-- tests/faults/test_readonly_role.py applies this very file and checks that a member reads
-- reports_latest and can neither write, nor create, nor drop anything.

-- A group role: it cannot log in; members inherit what it may do.
CREATE ROLE fazhi_reader NOLOGIN;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO fazhi_reader', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO fazhi_reader;

-- Tables and views (reports_latest, report_history) as they are now …
GRANT SELECT ON ALL TABLES IN SCHEMA public TO fazhi_reader;
-- … and those later migrations create (they run as this same owner).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO fazhi_reader;

-- PostgreSQL before 15 lets every role create tables in public; 15 and later already do not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
