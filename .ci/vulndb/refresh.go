//go:build ignore

// refresh.go copies, from a checkout of the Go vulnerability database
// (https://github.com/golang/vulndb, folder data/osv), the OSV entries that
// concern Waymark's modules, the standard library and the toolchain into
// .ci/vulndb/osv, and lists the modules it looked for in
// .ci/vulndb/modules.txt. CI runs govulncheck against that copy, because
// CI machines cannot reach vuln.go.dev; .ci/run fails when go.mod names a
// module the copy was not made for, so that a new dependency is checked too.
//
// Usage, from the repository's root:
//
//	git clone --depth 1 https://github.com/golang/vulndb /tmp/vulndb
//	go run .ci/vulndb/refresh.go /tmp/vulndb/data/osv "$(git -C /tmp/vulndb rev-parse HEAD)"
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run .ci/vulndb/refresh.go VULNDB/data/osv VULNDB_COMMIT")
		os.Exit(2)
	}
	if err := refresh(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "refresh:", err)
		os.Exit(1)
	}
}

// osvEntry is what refresh reads of an OSV entry: the modules it affects.
type osvEntry struct {
	Affected []affected `json:"affected"`
}

type affected struct {
	Package struct {
		Name string `json:"name"`
	} `json:"package"`
}

func refresh(src, commit string) error {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Path}}", "all").Output()
	if err != nil {
		return fmt.Errorf("go list -m all: %w", err)
	}
	modules := append(strings.Fields(string(out)), "stdlib", "toolchain")
	slices.Sort(modules)
	wanted := map[string]bool{}
	for _, m := range modules {
		wanted[m] = true
	}

	dst := filepath.Join(".ci", "vulndb", "osv")
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil {
		return err
	}
	kept := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var entry osvEntry
		if err := json.Unmarshal(b, &entry); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if !slices.ContainsFunc(entry.Affected, func(a affected) bool { return wanted[a.Package.Name] }) {
			continue
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			return err
		}
		kept++
	}
	list := "# Modules whose entries .ci/vulndb/osv holds, from golang/vulndb at " + commit + ".\n" +
		"# Made by .ci/vulndb/refresh.go; .ci/run fails when go.mod names a module not listed here.\n" +
		strings.Join(modules, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(".ci", "vulndb", "modules.txt"), []byte(list), 0o644); err != nil {
		return err
	}
	fmt.Printf("kept %d of %d entries, for %d modules\n", kept, len(files), len(modules))
	return nil
}
