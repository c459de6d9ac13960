# Sourced by .ci/run: a throwaway Postgres cluster on a free loopback port for the server and
# connector tests (DATABASE_URL). Debian's postgresql package; data in a temporary directory
# that is removed with the cluster when the run ends.
start_throwaway_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "Installing Debian PostgreSQL for the server tests..."
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  PG_DIR="$(mktemp -d /tmp/crm-ci-postgres.XXXXXX)"
  local port
  port="$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  # initdb refuses to run as root: as root the cluster belongs to Debian's postgres user.
  local as=()
  if [ "$(id -u)" = "0" ]; then
    chown postgres "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U crm -A trust --no-sync -E UTF8 >"$PG_DIR/initdb.log"
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c full_page_writes=off" start >/dev/null
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U crm crm_test
  PG_BIN="$bin"
  export DATABASE_URL="postgres://crm@127.0.0.1:$port/crm_test"
  echo "Throwaway Postgres ($("$bin/postgres" --version)) at 127.0.0.1:$port"
}

stop_throwaway_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  local as=()
  [ "$(id -u)" = "0" ] && as=(runuser -u postgres --)
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
