// Command waymark serves the Waymark directory over GraphQL.
//
// Subcommands:
//
//	waymark [serve]         serve GraphQL at /graphql and an explorer at /
//	waymark migrate         apply database migrations
//	waymark seed [-if-empty] load the partnerships of the source documents
//	waymark token --role R  print a development sign-in token
//
// Configuration comes from the environment only; see config.go and the README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark/waymark/migrations"
	"github.com/waymark/waymark/seed"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "waymark:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, log)
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		ifEmpty := fs.Bool("if-empty", false, "load only when the directory has no institutions yet")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return loadSeed(ctx, cfg, log, *ifEmpty)
	case "token":
		return printToken(cfg, args, os.Stdout)
	case "help", "-h", "--help":
		fmt.Println("usage: waymark [serve | migrate | seed [-if-empty] | token --role R [--partnership ID]... [--institution ID]... [--name N] [--ttl 1h]]")
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve, migrate, seed or token)", cmd)
}

func openPool(ctx context.Context, cfg config) (*pgxpool.Pool, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set (make run and make test set it for you)")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	return pgxpool.NewWithConfig(ctx, pcfg)
}

// withConn runs f on one connection to the configured database.
func withConn(ctx context.Context, cfg config, f func(*pgx.Conn) error) error {
	pool, err := openPool(ctx, cfg)
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
