#!/usr/bin/env bash
# devdb.sh COMMAND [ARG...]   run COMMAND with DATABASE_URL set
# devdb.sh --stop             stop this checkout's PostgreSQL if no one is using it
# devdb.sh --clean            stop it and delete it (it is made again on next use)
# devdb.sh --where            print the directory that holds it
#
# When DATABASE_URL is already set it is honoured: COMMAND runs with it and
# nothing else happens. Otherwise this checkout gets its own PostgreSQL
# cluster, made once from the machine's PostgreSQL binaries (as root,
# Debian's postgresql package is installed when there are none).
#
# Where the cluster lives. PostgreSQL refuses to run as root, so as root it
# runs as the unprivileged "postgres" user, which cannot reach a checkout in
# a private directory (/root, a mktemp -d directory). So the cluster lives
# where its owner can always reach it, in a directory named after the
# checkout's path (its base name and a hash of the full path):
#
#   as root:       /var/lib/waymark/devdb/<name>-<hash>/   (owned by postgres)
#   as other users: <checkout>/.data/devdb/<name>-<hash>/
#   either way:    $WAYMARK_DEVDB_DIR/<name>-<hash>/ when that is set
#
# Sharing. Any number of commands may use the cluster at once (make run in
# one terminal, make test in another). Each registers itself in users/ while
# it runs; the first one in starts PostgreSQL and the last one out stops it.
# A user that died without cleaning up (kill -9) is recognised by its
# process ID and start time and no longer counts. All of this happens under
# an flock(1) lock, so two commands starting together cannot both start it.
#
# Signals. COMMAND runs in its own process group. SIGINT, SIGTERM and SIGHUP
# sent to this script (Ctrl-C, kill, timeout(1), a service manager's stop, a
# closed terminal) are passed on to that whole group; another signal 2 s or
# more later kills it. When COMMAND has ended, PostgreSQL is stopped if no
# one else uses it.
#
# The cluster is a disposable development database: it listens on
# 127.0.0.1:${WAYMARK_PG_PORT:-54329} only (the next free port if that is
# taken), trusts local connections and runs with fsync off.
set -euo pipefail

# A shell starts background jobs (`make run &`) with SIGINT ignored, and bash
# can neither trap nor reset a signal ignored on entry, so such a job would
# never pass on an interrupt. Start again with SIGINT's default action (not
# SIGHUP's: nohup ignores that on purpose).
if [ -z "${WAYMARK_DEVDB_REEXEC:-}" ] && ignored=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$$/status" 2>/dev/null) &&
	[ -n "$ignored" ] && (((0x$ignored & 0x2) != 0)); then
	exec env --default-signal=INT WAYMARK_DEVDB_REEXEC=1 "$0" "$@"
fi
unset WAYMARK_DEVDB_REEXEC

root=$(cd "$(dirname "$0")/.." && pwd -P)
# say reports on stderr; a closed terminal must not stop the script.
say() { printf 'devdb: %s\n' "$*" >&2 2>/dev/null || true; }

uid=$(id -u)
name=$(basename "$root" | tr -c 'A-Za-z0-9._\n-' '_' | cut -c1-40)
hash=$(printf '%s' "$root" | sha256sum | cut -c1-12)
if [ -n "${WAYMARK_DEVDB_DIR:-}" ]; then
	base=$WAYMARK_DEVDB_DIR
elif [ "$uid" = 0 ]; then
	base=/var/lib/waymark/devdb
else
	base=$root/.data/devdb
fi
dir=$base/$name-$hash
data=$dir/pg
users=$dir/users

case "${1:-}" in
--where)
	echo "$dir"
	exit 0
	;;
--stop | --clean) action=${1#--} ;;
"")
	say "usage: devdb.sh COMMAND [ARG...] | --stop | --clean | --where"
	exit 2
	;;
*)
	action=run
	if [ -n "${DATABASE_URL:-}" ]; then
		exec "$@"
	fi
	;;
esac

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

# as_owner runs a PostgreSQL program as the cluster's owner (from /, as the
# checkout may be a directory that postgres cannot enter).
as_owner() {
	if [ "$uid" = 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

pg_running() { [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

# started_at prints a process's start time (field 22 of /proc/PID/stat), so
# that a recycled process ID is not mistaken for a live user.
started_at() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo "${20}"
}

# live_users removes the registrations of users that have gone, then prints
# the process IDs of those still running.
live_users() {
	local f pid
	for f in "$users"/*; do
		[ -f "$f" ] || continue
		pid=${f##*/}
		if [ "$(started_at "$pid" || true)" = "$(cat "$f")" ]; then
			echo "$pid"
		else
			rm -f "$f"
		fi
	done
}

stop_db() {
	if pg_running; then
		say "stopping PostgreSQL"
		if as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1; then
			say "PostgreSQL stopped"
		else
			say "PostgreSQL did not stop; see $dir/postgres.log"
		fi
	fi
}

lock() {
	exec 9>"$dir.lock"
	flock 9
}
unlock() { flock -u 9; }

if ! bin=$(find_bin); then
	if [ "$action" != run ]; then
		exit 0 # no PostgreSQL, so nothing of ours can be running
	fi
	if [ "$uid" = 0 ] && command -v apt-get >/dev/null; then
		say "no PostgreSQL found; installing Debian's postgresql package"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >&2
		bin=$(find_bin) || {
			say "postgresql installed but initdb not found"
			exit 1
		}
	else
		say "no PostgreSQL binaries found. Install PostgreSQL (apt-get install postgresql) or set DATABASE_URL."
		exit 1
	fi
fi

mkdir -p "$base"
case $action in
stop | clean)
	[ -d "$dir" ] || exit 0
	lock
	in_use=$(live_users | tr '\n' ' ')
	if [ -n "$in_use" ]; then
		say "PostgreSQL in $dir is in use by process(es) $in_use; stop them first (it stops when the last one ends)"
		exit 1
	fi
	stop_db
	if [ "$action" = clean ]; then
		rm -rf "$dir" "$root/.data"
		say "deleted $dir"
	fi
	rm -f "$dir.lock"
	exit 0
	;;
esac

if [ "$uid" = 0 ] && ! id postgres >/dev/null 2>&1; then
	useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
fi

child=
first_signal=
# pass_on sends a signal to COMMAND's process group. One stop often arrives
# more than once (make passes on the SIGTERM that timeout(1) or a service
# manager also sends to us), so repeats within 2 s are the same request; a
# signal after that means "now", and kills the group.
pass_on() {
	[ -n "$child" ] || exit 1 # still starting: finish cleans up
	if [ -z "$first_signal" ]; then
		first_signal=$SECONDS
		kill -"$1" -- "-$child" 2>/dev/null || true
	elif [ $((SECONDS - first_signal)) -ge 2 ]; then
		say "stopping at once"
		kill -KILL -- "-$child" 2>/dev/null || true
	fi
}
finish() {
	# Whatever happens now (a closed terminal fails every write to it), the
	# clean-up runs to the end.
	set +e
	trap '' INT TERM HUP PIPE
	if [ -n "$child" ]; then
		# Anything COMMAND left behind in its group goes too.
		kill -TERM -- "-$child" 2>/dev/null || true
	fi
	lock
	rm -f "$users/$$"
	if [ -z "$(live_users)" ]; then
		stop_db
	fi
	unlock
}
trap finish EXIT
trap 'pass_on INT' INT
trap 'pass_on TERM' TERM
trap 'pass_on HUP' HUP

# Everything from here until we are registered happens under the lock.
mkdir -p "$dir"
lock
if [ "$uid" = 0 ]; then
	chown postgres: "$dir"
	chmod 0700 "$dir"
	if ! runuser -u postgres -- test -w "$dir"; then
		say "the postgres user cannot write to $dir (check the permissions of its parent directories), or set DATABASE_URL"
		exit 1
	fi
fi
printf '%s\n' "$root" >"$dir/checkout"
mkdir -p "$users"

if [ ! -f "$data/PG_VERSION" ]; then
	say "creating a PostgreSQL cluster in $data"
	as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port="${WAYMARK_PG_PORT:-54329}"
if pg_running; then
	# Another command of this checkout started it: use its port.
	port=$(as_owner sed -n 4p "$data/postmaster.pid")
else
	# Another program (or another checkout's cluster) may hold the port:
	# move up to the next free one rather than fail.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port_busy "$port" || break
		say "port $port is in use; trying $((port + 1))"
		port=$((port + 1))
	done
	as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start -o \
		"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
	say "PostgreSQL started on 127.0.0.1:$port (data and log: $dir)"
fi

dbname="${WAYMARK_PG_DATABASE:-waymark}"
export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres
if [ "$("$bin/psql" -XAtq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" != 1 ]; then
	"$bin/createdb" "$dbname"
fi
unset PGHOST PGPORT PGUSER

started_at $$ >"$users/$$"
unlock

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/$dbname?sslmode=disable"
# set -m gives COMMAND a process group of its own, so that signals reach
# all of it (and SIGINT is not ignored, as it would be in a background job).
set -m
"$@" 9>&- <&0 &
child=$!
set +m
status=0
while :; do
	wait "$child" && status=0 || status=$?
	kill -0 "$child" 2>/dev/null || break
done
exit "$status"
