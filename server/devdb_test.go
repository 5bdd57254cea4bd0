package main

// Tests of the two commands' local PostgreSQL (server/devdb.sh) and of how
// `make run` stops. They run the real script, the real make and the real
// PostgreSQL binaries, each test with clusters of its own (WAYMARK_DEVDB_DIR)
// so that they never touch the cluster `make test` itself runs on.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/jackc/pgx/v5"
)

// devdb is a place for local clusters and the environment that uses it.
type devdb struct {
	t    *testing.T
	root string // the checkout
	env  []string
	tag  string // set in the environment of everything started, to find leftovers
}

// newDevDB gives a test its own WAYMARK_DEVDB_DIR (readable by the postgres
// user, as the script needs when run as root) and PostgreSQL port, with
// DATABASE_URL unset, as for a newcomer's `make run`.
func newDevDB(t *testing.T) *devdb {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp("", "waymark-devdb-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	d := &devdb{t: t, root: root, tag: "WAYMARK_TEST_TAG=" + rand.Text()}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "WAYMARK_") && !strings.HasPrefix(kv, "PORT=") {
			d.env = append(d.env, kv)
		}
	}
	d.env = append(d.env, "WAYMARK_DEVDB_DIR="+base, "WAYMARK_PG_PORT="+freePort(t), d.tag)
	t.Cleanup(func() {
		d.killLeftovers("")
		if out, err := d.command("server/devdb.sh", "--clean").CombinedOutput(); err != nil {
			t.Errorf("devdb.sh --clean: %v\n%s", err, out)
		}
		os.RemoveAll(base)
	})
	return d
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// command makes a command in the checkout with the test's environment, in
// a process group of its own, as a terminal would start it.
func (d *devdb) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = d.root
	cmd.Env = d.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second // a leftover holding our pipes must not hang the test
	return cmd
}

// dataDir is where the script keeps the cluster's data.
func (d *devdb) dataDir() string {
	out, err := d.command("server/devdb.sh", "--where").Output()
	if err != nil {
		d.t.Fatal(err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "pg")
}

// leftovers lists the processes still running with the test's tag:
// anything the commands started, PostgreSQL included.
func (d *devdb) leftovers() []string {
	var found []string
	procs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, p := range procs {
		env, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(env, []byte("\x00"+d.tag+"\x00")) && !bytes.HasPrefix(env, []byte(d.tag+"\x00")) {
			continue
		}
		pid := filepath.Base(filepath.Dir(p))
		cmdline, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		found = append(found, pid+": "+strings.ReplaceAll(strings.TrimSpace(string(cmdline)), "\x00", " "))
	}
	return found
}

// noLeftovers waits a little for processes to go, then fails for any left.
func (d *devdb) noLeftovers() {
	d.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		left := d.leftovers()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			d.t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// killLeftovers kills the test's processes whose command line starts with
// prefix.
func (d *devdb) killLeftovers(prefix string) {
	for _, p := range d.leftovers() {
		pid, cmdline, _ := strings.Cut(p, ": ")
		if n, _ := strconv.Atoi(pid); strings.HasPrefix(cmdline, prefix) {
			_ = syscall.Kill(n, syscall.SIGKILL)
		}
	}
}

// dbStopped fails unless the cluster has stopped.
func (d *devdb) dbStopped() {
	d.t.Helper()
	if _, err := os.Stat(filepath.Join(d.dataDir(), "postmaster.pid")); err == nil {
		d.t.Error("PostgreSQL is still running (postmaster.pid is there)")
	}
}

// checkPrivate checks that no one else can use or tamper with the cluster:
// it asks for a password, the lock, the password and the list of users
// belong to the caller and no one else may open them, and PostgreSQL holds
// no lock of devdb.sh's (it would wedge every later start).
func (d *devdb) checkPrivate(dbURL string) {
	d.t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		d.t.Fatal(err)
	}
	u.User = url.User("postgres")
	if answers(u.String()) == nil {
		d.t.Error("PostgreSQL lets in a local connection without the password")
	}
	dir := filepath.Dir(d.dataDir())
	for path, mode := range map[string]os.FileMode{dir: 0o711, dir + ".lock": 0o600, dir + "/password": 0o600, dir + "/users": 0o700} {
		info, err := os.Stat(path)
		if err != nil {
			d.t.Error(err)
			continue
		}
		if info.Mode().Perm() != mode || info.Sys().(*syscall.Stat_t).Uid != uint32(os.Getuid()) {
			d.t.Errorf("%s: mode %v owner %d, want %v owned by %d", path, info.Mode().Perm(), info.Sys().(*syscall.Stat_t).Uid, mode, os.Getuid())
		}
	}
	pidFile, err := os.ReadFile(filepath.Join(d.dataDir(), "postmaster.pid"))
	if err != nil {
		d.t.Fatal(err)
	}
	pid, _, _ := strings.Cut(string(pidFile), "\n")
	fds, _ := filepath.Glob("/proc/" + pid + "/fd/*")
	for _, fd := range fds {
		if target, _ := os.Readlink(fd); strings.HasSuffix(target, ".lock") {
			d.t.Errorf("PostgreSQL holds devdb.sh's lock file open (%s)", fd)
		}
	}
}

// user is a long-running command under devdb.sh: a shell that prints
// DATABASE_URL and then waits.
type user struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

func (d *devdb) startUser() *user {
	d.t.Helper()
	cmd := d.command("server/devdb.sh", "sh", "-c", `echo "$DATABASE_URL"; exec sleep 600`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		d.t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		d.t.Fatalf("devdb.sh printed no DATABASE_URL: %v\n%s", err, stderr.String())
	}
	u := &user{cmd: cmd, url: strings.TrimSpace(line), done: make(chan error, 1)}
	go func() { u.done <- cmd.Wait() }()
	return u
}

// stop sends sig to the devdb.sh process alone (not its group) and waits.
func (u *user) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := u.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-u.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("devdb.sh did not end within 30 s of %v", sig)
	}
}

func answers(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// Two commands share one cluster: neither stops it under the other, and
// the last one out stops it (issue 8: `make test` while `make run` serves).
func TestDevDBSharedByTwoCommands(t *testing.T) {
	t.Parallel()
	d := newDevDB(t)

	// A short command while a long one runs.
	long := d.startUser()
	d.checkPrivate(long.url)
	out, err := d.command("server/devdb.sh", "sh", "-c", `echo "$DATABASE_URL"`).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != long.url {
		t.Errorf("second command got %q, first %q: not the same cluster", got, long.url)
	}
	if err := answers(long.url); err != nil {
		t.Fatalf("after the second command ended, the first one's database is gone: %v", err)
	}

	// Two long ones: the first out leaves it running for the second.
	other := d.startUser()
	long.stop(t, syscall.SIGTERM)
	if err := answers(other.url); err != nil {
		t.Fatalf("after the first command ended, the second one's database is gone: %v", err)
	}
	other.stop(t, syscall.SIGTERM)
	if answers(other.url) == nil {
		t.Error("the last command ended but PostgreSQL still answers")
	}
	d.dbStopped()

	// A user killed outright (kill -9, which it cannot catch) no longer
	// counts: the next one out stops PostgreSQL.
	crashed := d.startUser()
	if err := syscall.Kill(crashed.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-crashed.done
	d.killLeftovers("sleep")
	if err := d.command("server/devdb.sh", "true").Run(); err != nil {
		t.Fatal(err)
	}
	d.dbStopped()
	d.noLeftovers()
}

// When what devdb.sh writes can no longer go anywhere (its terminal was
// closed), it still stops PostgreSQL on the way out.
func TestDevDBStopsWhenItsOutputIsGone(t *testing.T) {
	t.Parallel()
	d := newDevDB(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := d.command("server/devdb.sh", "sh", "-c", `echo "$DATABASE_URL"; exec sleep 600`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	url, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // from now on every write to stderr fails (EPIPE, SIGPIPE)
	if err := answers(strings.TrimSpace(url)); err != nil {
		t.Fatal(err)
	}
	sendSignal(t, cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("devdb.sh did not end")
	}
	d.dbStopped()
	d.noLeftovers()
}

// What devdb.sh finds at its cluster's place but did not make (a directory
// of an earlier version, owned by postgres, or a link someone planted) is
// removed whole, without reading or writing anything inside it; and a base
// directory others may write to is refused.
func TestDevDBTrustsNothingItDidNotMake(t *testing.T) {
	t.Parallel()
	d := newDevDB(t)
	where := filepath.Dir(d.dataDir())
	victim := t.TempDir()
	for _, f := range []string{"users/123", "checkout", "precious"} {
		if err := os.MkdirAll(filepath.Join(victim, filepath.Dir(f)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(victim, f), []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, action := range []string{"--stop", "true"} {
		if err := os.Symlink(victim, where); err != nil {
			t.Fatal(err)
		}
		if out, err := d.command("server/devdb.sh", action).CombinedOutput(); err != nil {
			t.Fatalf("devdb.sh %s: %v\n%s", action, err, out)
		}
		for _, f := range []string{"users/123", "checkout", "precious"} {
			if b, err := os.ReadFile(filepath.Join(victim, f)); err != nil || string(b) != "keep me" {
				t.Errorf("devdb.sh %s touched %s behind a planted link: %q %v", action, f, b, err)
			}
		}
		if info, err := os.Lstat(where); action == "true" && (err != nil || !info.IsDir()) {
			t.Errorf("after devdb.sh true, %s is not a directory of its own: %v", where, err)
		}
	}

	open := t.TempDir()
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	cmd := d.command("server/devdb.sh", "true")
	cmd.Env = append(cmd.Env, "WAYMARK_DEVDB_DIR="+open)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "written by others") {
		t.Errorf("a world-writable WAYMARK_DEVDB_DIR was used: %v\n%s", err, out)
	}
}

// stop-db and clean-db refuse while a command uses the cluster.
func TestDevDBStopRefusedWhileInUse(t *testing.T) {
	t.Parallel()
	d := newDevDB(t)
	u := d.startUser()
	for _, action := range []string{"--stop", "--clean"} {
		out, err := d.command("server/devdb.sh", action).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "in use") {
			t.Errorf("devdb.sh %s while in use: %v %s", action, err, out)
		}
	}
	if err := answers(u.url); err != nil {
		t.Fatalf("database gone after a refused stop: %v", err)
	}
	u.stop(t, syscall.SIGINT)
	d.dbStopped()
	d.noLeftovers()
}

// Every way of stopping `make run` stops the server gracefully, then the
// PostgreSQL it started, and leaves no process behind (issue 8 item 3).
func TestMakeRunStops(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "waymark")
	// Built once here, so that each case's `make run` only relinks.
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	group := func(sig syscall.Signal) func(*testing.T, *exec.Cmd, *os.File) {
		return func(t *testing.T, make *exec.Cmd, _ *os.File) { sendSignal(t, -make.Process.Pid, sig) }
	}
	for _, tc := range []struct {
		name string
		// how: "" runs make with output to the test, "timeout" under
		// timeout(1), "background" as a shell starts `make run &` (SIGINT
		// ignored), "terminal" on a terminal of its own (a pty).
		how  string
		stop func(t *testing.T, make *exec.Cmd, pty *os.File)
	}{
		{"kill -TERM of make's pid", "", func(t *testing.T, make *exec.Cmd, _ *os.File) { sendSignal(t, make.Process.Pid, syscall.SIGTERM) }},
		{"Ctrl-C", "", group(syscall.SIGINT)},
		{"kill -INT of make run & started by a shell", "background", group(syscall.SIGINT)},
		{"SIGHUP", "", group(syscall.SIGHUP)},
		{"closed terminal", "terminal", func(t *testing.T, make *exec.Cmd, pty *os.File) {
			// Closing the window closes the pty's master: from then on every
			// write to the terminal fails, and the session's foreground
			// group gets SIGHUP. (Sent here too: not every kernel a test
			// runs on sends it.)
			pty.Close()
			sendSignal(t, -make.Process.Pid, syscall.SIGHUP)
		}},
		{"service manager's stop", "", group(syscall.SIGTERM)},
		{"timeout 20 make run", "timeout", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDevDB(t)
			port := freePort(t)
			d.env = append(d.env, "PORT="+port)
			run := []string{"make", "run", "BIN=" + bin}
			switch tc.how {
			case "timeout":
				run = append([]string{"timeout", "20"}, run...)
			case "background":
				run = []string{"sh", "-c", `trap "" INT; exec "$@"`, "sh", "make", "run", "BIN=" + bin}
			}
			cmd := d.command(run[0], run[1:]...)
			logs := &syncBuffer{}
			cmd.Stdout, cmd.Stderr = logs, logs
			var term *os.File
			if tc.how == "terminal" {
				// make on a terminal of its own (a pty), leading its session
				// as a shell's foreground job would.
				ptmx, tty, err := pty.Open()
				if err != nil {
					t.Fatal(err)
				}
				defer tty.Close() // (closed at once once make has it, below)
				term = pollable(t, ptmx)
				cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
				go func() { _, _ = io.Copy(logs, term) }()
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if tc.how == "terminal" {
				// Only the shell and its children hold the terminal, as when
				// a terminal window starts a shell.
				cmd.Stdin.(*os.File).Close()
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitReady(t, port, done, logs)
			if tc.stop != nil {
				tc.stop(t, cmd, term)
			}
			select {
			case <-done:
			case <-time.After(40 * time.Second):
				t.Fatalf("make run still running 40 s after being stopped\n%s", logs.String())
			}
			d.noLeftovers()
			d.dbStopped()
			if tc.how == "terminal" {
				return // what it said after the terminal closed went nowhere
			}
			for _, want := range []string{"waymark serving", "shutting down", "devdb: PostgreSQL stopped"} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log lacks %q: not a graceful stop\n%s", want, logs.String())
				}
			}
			if _, err := http.Get("http://127.0.0.1:" + port + "/healthz"); err == nil {
				t.Error("the server still answers")
			}
		})
	}
}

// pollable turns f into a file whose Close takes effect while another
// goroutine reads it: a blocked read(2) holds a file open, and a pty's other
// side hangs up only when its master is really closed.
func pollable(t *testing.T, f *os.File) *os.File {
	t.Helper()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fd), "ptmx")
}

func sendSignal(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatal(err)
	}
}

// waitReady waits for /readyz, failing if make ends first.
func waitReady(t *testing.T, port string, done <-chan error, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("make run ended before it was ready: %v\n%s", err, logs.String())
		default:
		}
		if res, err := http.Get("http://127.0.0.1:" + port + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("make run not ready within 90 s\n%s", logs.String())
}

// syncBuffer is a buffer that a command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
