// compose-check loads a compose file with the Compose specification's own Go loader (compose-go) and prints, as
// JSON, what the file refers to on disk: bind-mounted paths, build contexts and Dockerfiles, env files. A file the
// loader refuses is reported on stderr with exit status 1.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

type report struct {
	Name        string   `json:"name"`
	Services    []string `json:"services"`
	Binds       []string `json:"binds"`
	Builds      []string `json:"builds"`
	Dockerfiles []string `json:"dockerfiles"`
	EnvFiles    []string `json:"env_files"`
	Healthcheck []string `json:"healthchecks"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check docker-compose.yml")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory(filepath.Dir(file)), cli.WithName("strongroom-lab"), cli.WithConsistency(true), cli.WithResolvedPaths(true))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r := report{Name: project.Name}
	for name, svc := range project.Services {
		r.Services = append(r.Services, name)
		for _, v := range svc.Volumes {
			if v.Type == types.VolumeTypeBind {
				r.Binds = append(r.Binds, v.Source)
			}
		}
		if svc.Build != nil {
			r.Builds = append(r.Builds, svc.Build.Context)
			df := svc.Build.Dockerfile
			if df != "" && !filepath.IsAbs(df) {
				df = filepath.Join(svc.Build.Context, df)
			}
			r.Dockerfiles = append(r.Dockerfiles, df)
		}
		for _, e := range svc.EnvFiles {
			r.EnvFiles = append(r.EnvFiles, e.Path)
		}
		if svc.HealthCheck != nil && !svc.HealthCheck.Disable {
			r.Healthcheck = append(r.Healthcheck, name)
		}
	}
	for _, l := range [][]string{r.Services, r.Binds, r.Builds, r.Dockerfiles, r.EnvFiles, r.Healthcheck} {
		sort.Strings(l)
	}
	out, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println(string(out))
}
