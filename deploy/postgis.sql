-- Run once as the PostgreSQL superuser (psql -U postgres -f deploy/postgis.sql), after
-- apt-get install postgresql postgis. The app's first start migrates the schema (one process at a
-- time: an advisory lock), converting the geometry columns and adding their GiST indexes.
CREATE ROLE onemap LOGIN PASSWORD 'CHANGE-ME';
CREATE DATABASE onemap OWNER onemap ENCODING 'UTF8' TEMPLATE template0;
\connect onemap
-- creating an extension needs a superuser: done here, so the app's role needs no such right
CREATE EXTENSION IF NOT EXISTS postgis;
