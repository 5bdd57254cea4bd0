// Command waymark serves the Waymark directory over GraphQL.
//
// Subcommands are listed in commands below and by `waymark --help`;
// configuration comes from the environment only (settings in config.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/migrations"
	"github.com/waymark/waymark/seed"
)

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitCode reports err and turns it into the process's exit status: 0 for
// success and for help asked for, 2 for a command line that is wrong (as
// flag.ExitOnError does), 1 for anything else.
func exitCode(err error, stderr io.Writer) int {
	var u usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		fmt.Fprintf(stderr, "waymark: %s\n\n", u.msg)
		u.usage(stderr)
		return 2
	default:
		fmt.Fprintln(stderr, "waymark:", err)
		return 1
	}
}

// usageError is a wrong command line: it is reported with the usage of the
// command concerned.
type usageError struct {
	msg   string
	usage func(io.Writer)
}

func (e usageError) Error() string { return e.msg }

// subcommand is one of waymark's commands.
type subcommand struct{ name, args, summary string }

// commands are waymark's subcommands, in the order help lists them.
var commands = []subcommand{
	{"serve", "", "serve GraphQL at /graphql and the explorer at / (the default)"},
	{"migrate", "", "apply the embedded database migrations"},
	{"seed", "[--if-empty]", "load the partnerships of the source documents; rows already present are left as they are"},
	{"token", "--role R [flags]", "print a development sign-in token (see waymark token --help)"},
	{"help", "", "print this help"},
}

// usage is `waymark --help`: the commands and the environment settings.
func usage(w io.Writer) {
	fmt.Fprint(w, "Waymark serves the directory of student mental health partnerships over GraphQL.\n\n"+
		"Usage: waymark [command] [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-24s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprint(w, "\nSettings, from the environment:\n")
	for _, s := range settings {
		fmt.Fprintf(w, "  %-28s %s (default: %s)\n", s.name, s.meaning, s.def)
	}
	fmt.Fprint(w, "\n`make run` and `make test` set DATABASE_URL to a local PostgreSQL when it is not set.\n")
}

// newFlags makes a subcommand's flag set; parse reports its errors.
func newFlags(c subcommand) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses a subcommand's flags (it takes no other arguments). --help
// prints the subcommand's usage to stdout and returns flag.ErrHelp; a wrong
// flag or argument is a usageError.
func parse(c subcommand, fs *flag.FlagSet, args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		usageOf(c, fs)(stdout)
		return err
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err != nil {
		return badUsage(c, fs, err.Error())
	}
	return nil
}

// badUsage is a usageError about a subcommand's command line.
func badUsage(c subcommand, fs *flag.FlagSet, msg string) error {
	return usageError{msg: c.name + ": " + msg, usage: usageOf(c, fs)}
}

// usageOf prints a subcommand's usage and flags.
func usageOf(c subcommand, fs *flag.FlagSet) func(io.Writer) {
	return func(w io.Writer) {
		fmt.Fprintf(w, "Usage: waymark %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(w, "\nFlags (-flag and --flag are the same):\n")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		usage(stdout)
		return nil
	}
	i := slices.IndexFunc(commands, func(c subcommand) bool { return c.name == name })
	if i < 0 {
		return usageError{msg: fmt.Sprintf("unknown command %q", name), usage: usage}
	}
	cmd := commands[i]
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	if cmd.name == "token" {
		return printToken(cfg, args, stdout)
	}
	fs := newFlags(cmd)
	ifEmpty := false
	if cmd.name == "seed" {
		fs.BoolVar(&ifEmpty, "if-empty", false, "load only when the directory has no institutions yet")
	}
	if err := parse(cmd, fs, args, stdout); err != nil {
		return err
	}

	log := newLogger(cfg, stderr)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	switch cmd.name {
	case "migrate":
		return migrate(ctx, cfg, log)
	case "seed":
		return loadSeed(ctx, cfg, log, ifEmpty)
	default:
		return serve(ctx, cfg, log)
	}
}

// openPool opens the server's pool of connections to the configured
// database: its size, connect timeout and health checks come from cfg, and
// every connection starts with cfg's statement_timeout, lock_timeout and
// idle_in_transaction_session_timeout. A request that ends (deadline, or
// client gone) has its running statement cancelled in PostgreSQL, so no
// query outlives its request, and the connection is kept.
func openPool(ctx context.Context, cfg config) (*pgxpool.Pool, error) {
	pcfg, err := poolConfig(cfg)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, pcfg)
}

// poolConfig is openPool's configuration.
func poolConfig(cfg config) (*pgxpool.Config, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set (make run and make test set it for you)")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pcfg.MaxConns = int32(cfg.DBMaxConns)
	pcfg.HealthCheckPeriod = cfg.DBHealthCheckPeriod
	pcfg.PingTimeout = cfg.DBConnectTimeout
	pcfg.ConnConfig.ConnectTimeout = cfg.DBConnectTimeout
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	pcfg.ConnConfig.RuntimeParams["statement_timeout"] = ms(cfg.DBStatementTimeout)
	pcfg.ConnConfig.RuntimeParams["lock_timeout"] = ms(cfg.DBLockTimeout)
	pcfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = ms(cfg.DBIdleInTxTimeout)
	// On a cancelled context, pgx's default closes the connection (after a
	// cancel request), so every abandoned request costs a new connection.
	// Cancel the statement in place instead and keep the connection; close
	// it only if PostgreSQL has not stopped within a second.
	pcfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	return pcfg, nil
}

// withConn runs f on one connection to the configured database, without the
// server's session timeouts: migrate and seed are run by an operator, and a
// migration may rightly take long.
func withConn(ctx context.Context, cfg config, f func(*pgx.Conn) error) error {
	pcfg, err := poolConfig(cfg)
	if err != nil {
		return err
	}
	for _, p := range []string{"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"} {
		delete(pcfg.ConnConfig.RuntimeParams, p)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connecting to the database: %w", err)
	}
	defer conn.Release()
	return f(conn.Conn())
}

func migrate(ctx context.Context, cfg config, log *slog.Logger) error {
	return withConn(ctx, cfg, func(conn *pgx.Conn) error {
		if err := migrations.Migrate(ctx, conn); err != nil {
			return err
		}
		current, _, err := migrations.Status(ctx, conn)
		if err != nil {
			return err
		}
		log.Info("database migrated", "version", current)
		return nil
	})
}

func loadSeed(ctx context.Context, cfg config, log *slog.Logger, ifEmpty bool) error {
	return withConn(ctx, cfg, func(conn *pgx.Conn) error {
		if !ifEmpty {
			if err := seed.Load(ctx, conn); err != nil {
				return err
			}
			log.Info("seed loaded (rows already present were left as they are)")
			return nil
		}
		loaded, err := seed.LoadIfEmpty(ctx, conn)
		if err != nil {
			return err
		}
		if loaded {
			log.Info("seed loaded into the empty directory")
		} else {
			log.Info("directory already has data; seed not loaded")
		}
		return nil
	})
}
