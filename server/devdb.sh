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
#   as root:        /var/lib/waymark/devdb/<name>-<hash>/
#   as other users: <checkout>/.data/devdb/<name>-<hash>/
#   either way:     $WAYMARK_DEVDB_DIR/<name>-<hash>/ when that is set
#
# That directory belongs to whoever runs this script, and so does all that
# this script writes there: the password, the list of users, the lock
# (<name>-<hash>.lock beside it, never deleted). Only pg/ (the data) and
# log/ belong to the user PostgreSQL runs as, and this script never writes
# in them as root, so that user cannot redirect root's writes with links.
#
# Sign-in. The superuser has a random password, kept in the directory above
# (mode 0600) and put in DATABASE_URL; nothing is trusted, so no other local
# user can sign in (a superuser can run programs as the server's OS user).
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
# one else uses it. If this script itself is killed outright, COMMAND gets
# SIGTERM (setpriv --pdeathsig).
#
# The cluster is a disposable development database: it listens on
# 127.0.0.1:${WAYMARK_PG_PORT:-54329} only (the next free port if that is
# taken) and runs with fsync off.
set -euo pipefail
caller_umask=$(umask)
umask 077

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

port="${WAYMARK_PG_PORT:-54329}"
dbname="${WAYMARK_PG_DATABASE:-waymark}"
if ! [[ $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
	say "WAYMARK_PG_PORT=$port is not a port number"
	exit 2
fi
if ! [[ $dbname =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
	say "WAYMARK_PG_DATABASE=$dbname: want a lower-case name of letters, digits and _"
	exit 2
fi

uid=$(id -u)
name=$(printf '%s' "$(basename "$root")" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-40)
hash=$(printf '%s' "$root" | sha256sum | cut -c1-12)
default_base=$root/.data/devdb
[ "$uid" = 0 ] && default_base=/var/lib/waymark/devdb
base=${WAYMARK_DEVDB_DIR:-$default_base}
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
		# Nothing of root's environment goes to the postgres user.
		(cd / && runuser -u postgres -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$@")
	else
		"$@"
	fi
}

# owned_dir makes a directory for the cluster's owner (postgres, as root).
owned_dir() {
	mkdir -p "$1"
	if [ "$uid" = 0 ]; then
		chown postgres: "$1"
	fi
	chmod 0700 "$1"
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
	[ "$1" != Z ] || return 1 # a zombie has ended
	echo "${20}"
}

# live_users removes the registrations of users that have gone, then prints
# the process IDs of those still running.
live_users() {
	local f pid
	if [ -L "$users" ] || ! [ -d "$users" ] || [ "$(stat -c %u "$users")" != "$uid" ]; then
		return 0
	fi
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
			say "PostgreSQL did not stop; see $dir/log/postgres.log"
		fi
	fi
}

# lock takes this checkout's lock, saying so when it has to wait.
lock() {
	exec 9>>"$dir.lock"
	chmod 0600 "$dir.lock"
	if ! flock -n 9; then
		say "waiting for another devdb.sh of this checkout (lock: $dir.lock)"
		if ! flock -w 300 9; then
			say "gave up waiting for the lock after 5 minutes"
			exit 1
		fi
	fi
}
unlock() { flock -u 9; }

if ! bin=$(find_bin); then
	if [ "$action" != run ]; then
		exit 0 # no PostgreSQL, so nothing of ours can be running
	fi
	if [ "$uid" = 0 ] && command -v apt-get >/dev/null; then
		say "no PostgreSQL found; installing Debian's postgresql package"
		export DEBIAN_FRONTEND=noninteractive
		(umask 022 && apt-get update -qq >&2 &&
			apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >&2)
		bin=$(find_bin) || {
			say "postgresql installed but initdb not found"
			exit 1
		}
	else
		say "no PostgreSQL binaries found. Install PostgreSQL (apt-get install postgresql) or set DATABASE_URL."
		exit 1
	fi
fi

(umask 022 && mkdir -p "$base")
# Only the caller (or root) may make entries in the base directory: what
# stands there is trusted, so one that others can write to (such as /tmp)
# is refused.
read -r base_owner base_mode < <(stat -L -c '%u %a' "$base")
if { [ "$base_owner" != "$uid" ] && [ "$base_owner" != 0 ]; } || (((8#$base_mode & 8#022) != 0)); then
	say "$base may be written by others (owner $base_owner, mode $base_mode); choose a WAYMARK_DEVDB_DIR only you can write to"
	exit 2
fi

# foreign says whether $dir was made by someone else: an earlier version of
# this script (which gave it to postgres). Nothing inside it is read or
# written then: it is stopped as its owner and removed whole.
foreign() { [ -e "$dir" ] && { [ -L "$dir" ] || [ "$(stat -c %u "$dir")" != "$uid" ]; }; }
remove_foreign() {
	say "replacing $dir, made by an earlier version of devdb.sh (no password)"
	if [ -f "$data/PG_VERSION" ]; then
		as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	mv "$dir" "$dir.old.$$"
	rm -rf "$dir.old.$$"
}

case $action in
stop | clean)
	[ -e "$dir" ] || exit 0
	lock
	if foreign; then
		remove_foreign
		exit 0
	fi
	in_use=$(live_users | tr '\n' ' ')
	if [ -n "$in_use" ]; then
		say "PostgreSQL in $dir is in use by process(es) $in_use; stop them first (it stops when the last one ends)"
		exit 1
	fi
	stop_db
	if [ "$action" = clean ]; then
		rm -rf "$dir"
		say "deleted $dir"
		if [ "$base" = "$root/.data/devdb" ]; then
			rmdir "$base" "$root/.data" 2>/dev/null || true
		fi
	fi
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

# A cluster made by an earlier version of this script (its directory owned
# by postgres, no password) is made afresh: it is disposable, and one that
# trusts local connections must not run again.
if foreign || { [ -e "$data" ] && [ ! -s "$dir/password" ]; }; then
	remove_foreign
	mkdir "$dir"
fi
chmod 0711 "$dir" # the cluster's owner passes through to pg/ and log/
mkdir -p "$users"
printf '%s\n' "$root" >"$dir/checkout"
if [ ! -f "$data/PG_VERSION" ]; then
	say "creating a PostgreSQL cluster in $data"
	head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$dir/password"
	# initdb reads the password from a file its user can read; it is made
	# here, in our own directory, and removed at once.
	rm -rf "$data.new" "$dir/initpw"
	cp "$dir/password" "$dir/initpw"
	owned_dir "$data.new"
	if [ "$uid" = 0 ]; then chown postgres: "$dir/initpw"; fi
	if ! as_owner "$bin/initdb" -D "$data.new" -U postgres --auth=scram-sha-256 --pwfile="$dir/initpw" \
		--encoding=UTF8 --locale=C.UTF-8 >/dev/null; then
		rm -f "$dir/initpw"
		say "initdb failed"
		exit 1
	fi
	rm -f "$dir/initpw"
	# Only a whole cluster ever stands at $data.
	rm -rf "$data"
	mv "$data.new" "$data"
fi
owned_dir "$dir/log"
password=$(cat "$dir/password")

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if pg_running; then
	# Another command of this checkout started it: use its port.
	port=$(as_owner sed -n 4p "$data/postmaster.pid")
	if ! [[ $port =~ ^[1-9][0-9]{0,4}$ ]]; then
		say "$data/postmaster.pid names no port"
		exit 1
	fi
else
	# Another program (or another checkout's cluster, perhaps starting at
	# this moment) may hold the port: move on to the next one.
	started=
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		if ! port_busy "$port" &&
			as_owner "$bin/pg_ctl" -D "$data" -l "$dir/log/postgres.log" -w -t 60 start -o \
				"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
				>/dev/null 2>&1 9>&-; then
			started=1
			break
		fi
		say "port $port is in use; trying $((port + 1))"
		port=$((port + 1))
	done
	if [ -z "$started" ]; then
		say "PostgreSQL did not start; see $dir/log/postgres.log"
		exit 1
	fi
	say "PostgreSQL started on 127.0.0.1:$port (data and log: $dir)"
fi

export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$password"
if [ "$("$bin/psql" -XAtq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" != 1 ]; then
	"$bin/createdb" "$dbname"
fi
unset PGHOST PGPORT PGUSER PGPASSWORD

started_at $$ >"$users/$$"
unlock

export DATABASE_URL="postgres://postgres:$password@127.0.0.1:$port/$dbname?sslmode=disable"
# set -m gives COMMAND a process group of its own, so that signals reach
# all of it (and SIGINT is not ignored, as it would be in a background job).
# setpriv --pdeathsig TERMs it should this script be killed outright.
deathsig=()
if command -v setpriv >/dev/null; then deathsig=(setpriv --pdeathsig TERM --); fi
umask "$caller_umask"
set -m
"${deathsig[@]}" "$@" 9>&- <&0 &
child=$!
set +m
status=0
while :; do
	wait "$child" && status=0 || status=$?
	kill -0 "$child" 2>/dev/null || break
done
exit "$status"
