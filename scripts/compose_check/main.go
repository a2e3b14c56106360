// compose-check loads Docker Compose files with compose-go, the loader that
// `docker compose` itself uses, and prints the normalised project as JSON
// (the shape of `docker compose config --format json`).
//
// Usage: compose-check [--env-file FILE] [--quiet] COMPOSE_FILE...
//
// Loading interpolates variables (a missing ${VAR:?msg} is an error),
// validates against the Compose specification JSON schema embedded in
// compose-go, checks consistency (depends_on, volumes, networks, secrets and
// configs must exist), normalises the model and resolves relative paths
// against the directory of the first file.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	envFile := flag.String("env-file", "", "dotenv file: the only source of variables for interpolation")
	quiet := flag.Bool("quiet", false, "print nothing on success")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: compose-check [--env-file FILE] [--quiet] COMPOSE_FILE...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}

	out, err := load(*envFile, flag.Args())
	if err != nil {
		msg := err.Error()
		// The schema validator reports a key that the specification does not
		// allow (a typo such as "imagee:") as "<path> false schema".
		if strings.HasSuffix(msg, " false schema") {
			msg += " (clé inconnue de la spécification Compose)"
		}
		fmt.Fprintf(os.Stderr, "ERREUR: %s\n", msg)
		os.Exit(1)
	}
	if !*quiet {
		fmt.Println(string(out))
	}
}

func load(envFile string, files []string) ([]byte, error) {
	opts := []cli.ProjectOptionsFn{
		// The working directory and the default project name come from the
		// directory of the first file, as with `docker compose -f`.
		//
		// Deliberately no cli.WithOsEnv and no implicit .env lookup: the
		// variables come from --env-file alone, so that the result does not
		// depend on the caller's shell or on an untracked docker/.env.
		cli.WithDotEnv,
		// "*" enables every profile (types.matchesProfiles in v2.16.2), so
		// services behind `profiles:` stay in "services" and are checked
		// for consistency like the others, instead of landing in the
		// project's DisabledServices, which the JSON output leaves out.
		cli.WithProfiles([]string{"*"}),
	}
	if envFile != "" {
		// The explicit form only: cli.WithEnvFiles() without arguments would
		// fall back to <working dir>/.env.
		opts = append([]cli.ProjectOptionsFn{cli.WithEnvFiles(envFile)}, opts...)
	}

	options, err := cli.NewProjectOptions(files, opts...)
	if err != nil {
		return nil, err
	}
	// Loader defaults: interpolation, schema validation, consistency check,
	// normalisation and path resolution are all on.
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	return project.MarshalJSON()
}
