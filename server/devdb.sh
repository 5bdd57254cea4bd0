#!/usr/bin/env bash
# devdb.sh COMMAND [ARG...]
#
# Runs COMMAND with DATABASE_URL set. When DATABASE_URL is already set it is
# honoured and nothing else happens. Otherwise a project-local PostgreSQL
# cluster under .data/ is created (once) from the machine's PostgreSQL
# binaries, started if it is not running, and stopped again when COMMAND
# ends or is interrupted. Debian's postgresql package is installed when no
# binaries are found and we are root. initdb and postgres refuse to run as
# root, so as root they run as the unprivileged "postgres" user.
#
# The cluster is a disposable development database: it listens on
# 127.0.0.1:${WAYMARK_PG_PORT:-54329} only, trusts local connections and runs
# with fsync off. Delete .data/ to start afresh.
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
	exec "$@"
fi

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/.data/pg"
log="$root/.data/postgres.log"
port="${WAYMARK_PG_PORT:-54329}"
dbname="${WAYMARK_PG_DATABASE:-waymark}"

say() { printf 'devdb: %s\n' "$*" >&2; }

find_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		echo "$d"
		return 0
	fi
	if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
		pg_config --bindir
		return 0
	fi
	return 1
}

if ! bin=$(find_bin); then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "no PostgreSQL found; installing Debian's postgresql package"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >&2
		bin=$(find_bin) || { say "postgresql installed but initdb not found"; exit 1; }
	else
		say "no PostgreSQL binaries found. Install PostgreSQL (apt-get install postgresql) or set DATABASE_URL."
		exit 1
	fi
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

mkdir -p "$root/.data"
if [ "$(id -u)" = 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
	fi
	chown postgres: "$root/.data"
	if ! runuser -u postgres -- test -w "$root/.data"; then
		say "the postgres user cannot write to $root/.data (check the permissions of its parent directories), or set DATABASE_URL"
		exit 1
	fi
fi

if [ ! -f "$data/PG_VERSION" ]; then
	say "creating a PostgreSQL cluster in $data"
	as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi

started=0
stop_db() {
	if [ "$started" = 1 ]; then
		say "stopping PostgreSQL"
		as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
	fi
}
trap stop_db EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
	# Another program (or another checkout's cluster) may hold the port:
	# move up to the next free one rather than fail.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port_busy "$port" || break
		say "port $port is in use; trying $((port + 1))"
		port=$((port + 1))
	done
	as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o \
		"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
	started=1
	say "PostgreSQL started on 127.0.0.1:$port (log: $log)"
else
	# Already running (another make run or make test in this checkout): use
	# the port it is listening on.
	port=$(as_owner sed -n 4p "$data/postmaster.pid")
fi

export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres
if [ "$("$bin/psql" -XAtq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" != 1 ]; then
	"$bin/createdb" "$dbname"
fi
unset PGHOST PGPORT PGUSER

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/$dbname?sslmode=disable"
"$@"
