#!/bin/sh
# Runs once, when the PostgreSQL volume is new: the pdcs API's own database
# (users, scopes, audit, imported inventory) beside Alerta's "monitoring".
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$PDCS_DB_PASSWORD" <<'SQL'
CREATE USER pdcs WITH PASSWORD :'pw';
CREATE DATABASE pdcs OWNER pdcs;
SQL
