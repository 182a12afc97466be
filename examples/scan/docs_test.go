package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The pipelines of the README are run as written: TestPipelineDocs takes
// the YAML blocks out of the document and runs each command with bash, in
// a copy of a repository of templates and a Terraform configuration, once
// compliant and once not.
//
// Two commands reach outside this machine and are stood in for:
//   - "go install github.com/guardrails-go/guardrails/examples/scan@VERSION"
//     would fetch the module; the scanner is built from this checkout into
//     the same place instead (the command is checked to be exactly that);
//   - terraform would plan against AWS; a stand-in on PATH answers init,
//     plan and show -json with the plan of the repository's configuration
//     (testdata/pipeline/*/terraform/plan.fixture.json).

// docBlock returns the YAML code block of the README whose first line is
// "# name".
func docBlock(t *testing.T, name string) []byte {
	t.Helper()
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)```yaml\n# " + regexp.QuoteMeta(name) + "\n(.*?)```")
	m := re.FindSubmatch(doc)
	if m == nil {
		t.Fatalf("README.md has no yaml block starting with # %s", name)
	}
	return m[1]
}

// step is one command of a pipeline, where it runs and the variables the
// pipeline sets for it.
type step struct {
	name, dir, command string
	env                map[string]string
}

func githubSteps(t *testing.T) (steps []step, sarif string) {
	t.Helper()
	var wf struct {
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Env   map[string]string `yaml:"env"`
			Steps []struct {
				Name             string            `yaml:"name"`
				Uses             string            `yaml:"uses"`
				Run              string            `yaml:"run"`
				WorkingDirectory string            `yaml:"working-directory"`
				If               string            `yaml:"if"`
				With             map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(docBlock(t, ".github/workflows/guardrails.yml"), &wf); err != nil {
		t.Fatalf("the workflow is not YAML: %v", err)
	}
	if wf.Permissions["security-events"] != "write" {
		t.Error("uploading SARIF needs permissions security-events: write")
	}
	job, ok := wf.Jobs["gate"]
	if !ok {
		t.Fatal("no job gate")
	}
	for _, s := range job.Steps {
		switch {
		case s.Run != "":
			for _, line := range strings.Split(strings.TrimSpace(s.Run), "\n") {
				steps = append(steps, step{name: s.Name, dir: s.WorkingDirectory, command: line, env: job.Env})
			}
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			sarif = s.With["sarif_file"]
			if s.If != "always()" {
				t.Error("the SARIF upload must run when the gate fails too (if: always())")
			}
		}
	}
	return steps, sarif
}

func codeBuildSteps(t *testing.T) (steps []step, artifacts []string) {
	t.Helper()
	var spec struct {
		Version any `yaml:"version"`
		Env     struct {
			Variables map[string]string `yaml:"variables"`
		} `yaml:"env"`
		Phases map[string]struct {
			RuntimeVersions map[string]any `yaml:"runtime-versions"`
			Commands        []string       `yaml:"commands"`
		} `yaml:"phases"`
		Artifacts struct {
			Files []string `yaml:"files"`
		} `yaml:"artifacts"`
	}
	if err := yaml.Unmarshal(docBlock(t, "buildspec.yml"), &spec); err != nil {
		t.Fatalf("the buildspec is not YAML: %v", err)
	}
	if spec.Version != 0.2 {
		t.Errorf("buildspec version %v, want 0.2", spec.Version)
	}
	// CodeBuild runs the phases in this order; commands of a build share
	// one shell, so a cd or export carries on.
	env := map[string]string{"AWS_REGION": "eu-west-1"} // CodeBuild sets it
	for k, v := range spec.Env.Variables {
		env[k] = v
	}
	for _, phase := range []string{"install", "pre_build", "build", "post_build"} {
		for _, c := range spec.Phases[phase].Commands {
			steps = append(steps, step{name: phase, command: c, env: env})
		}
	}
	return steps, spec.Artifacts.Files
}

var installCommand = regexp.MustCompile(`^go install github\.com/guardrails-go/guardrails/examples/scan@[A-Za-z0-9.\-]+$`)

// pipelineEnv builds the scanner and the terraform stand-in, and returns
// the directory of the stand-in and the scanner's install directory.
func pipelineEnv(t *testing.T) (tools, gobin string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the scanner")
	}
	root := t.TempDir()
	gobin = filepath.Join(root, "gopath", "bin")
	tools = filepath.Join(root, "tools")
	for _, d := range []string{gobin, tools} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command(goBin, "build", "-o", filepath.Join(root, "scan"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the scanner: %v\n%s", err, out)
	}
	terraform := `#!/bin/sh
# Stand-in for terraform: the plan of the configuration's directory.
case "$1" in -chdir=*) cd "${1#-chdir=}" || exit 1; shift;; esac
case "$1" in
  init) echo "Terraform has been successfully initialized!";;
  plan) for a in "$@"; do case "$a" in -out=*) cp plan.fixture.json "${a#-out=}";; esac; done;;
  show) [ "$2" = "-json" ] && cat "$3";;
  *) echo "terraform stand-in: unexpected $*" >&2; exit 2;;
esac
`
	if err := os.WriteFile(filepath.Join(tools, "terraform"), []byte(terraform), 0o755); err != nil {
		t.Fatal(err)
	}
	return tools, gobin
}

// runPipeline runs the steps in a copy of the repository and returns the
// exit status of each command.
func runPipeline(t *testing.T, repo string, steps []step, tools, gobin string, oneShell bool) (dir string, codes []int, logs string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(repo)); err != nil {
		t.Fatal(err)
	}
	scanBin := filepath.Join(filepath.Dir(filepath.Dir(gobin)), "scan")
	path := tools + string(os.PathListSeparator) + os.Getenv("PATH")
	if !oneShell {
		// setup-go puts GOPATH/bin on the PATH; the buildspec does it itself.
		path = gobin + string(os.PathListSeparator) + path
	}
	env := append(os.Environ(), "GOPATH="+filepath.Dir(gobin), "GOFLAGS=", "PATH="+path)
	var script strings.Builder
	var log bytes.Buffer
	for _, s := range steps {
		cmd := s.command
		if strings.HasPrefix(cmd, "go install ") {
			if !installCommand.MatchString(cmd) {
				t.Fatalf("install command %q is not go install github.com/guardrails-go/guardrails/examples/scan@VERSION", cmd)
			}
			// The module from this checkout, installed where go install puts it.
			cmd = "cp " + scanBin + " " + filepath.Join(gobin, "scan")
		}
		if oneShell {
			// One shell for the whole build: record each command's status.
			script.WriteString(cmd + "\necho \"::status $?\"\n")
			continue
		}
		c := exec.Command("bash", "-eo", "pipefail", "-c", cmd)
		c.Dir = filepath.Join(dir, s.dir)
		c.Env = withVars(env, s.env)
		c.Stdout, c.Stderr = &log, &log
		err := c.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			codes = append(codes, 0)
		case errors.As(err, &exit):
			codes = append(codes, exit.ExitCode())
		default:
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	if oneShell {
		c := exec.Command("bash", "-o", "pipefail", "-c", script.String())
		c.Dir = dir
		if len(steps) > 0 {
			c.Env = withVars(env, steps[0].env)
		}
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &log
		if err := c.Run(); err != nil {
			t.Fatalf("build shell: %v\n%s", err, log.String())
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if rest, ok := strings.CutPrefix(line, "::status "); ok {
				n, err := strconv.Atoi(strings.TrimSpace(rest))
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, n)
			} else if line != "" {
				log.WriteString(line + "\n")
			}
		}
	}
	return dir, codes, log.String()
}

// withVars adds a pipeline's variables to an environment.
func withVars(env []string, vars map[string]string) []string {
	out := append([]string(nil), env...)
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

func TestPipelineDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the scanner")
	}
	tools, gobin := pipelineEnv(t)
	ghSteps, sarifFile := githubSteps(t)
	cbSteps, artifacts := codeBuildSteps(t)
	if sarifFile == "" || len(artifacts) == 0 {
		t.Fatalf("sarif file %q, artifacts %v", sarifFile, artifacts)
	}
	gate := func(steps []step) int {
		for i, s := range steps {
			if strings.Contains(s.command, "-fail-on-noncompliant") {
				return i
			}
		}
		t.Fatal("no command gates on -fail-on-noncompliant")
		return -1
	}
	for _, tc := range []struct {
		repo     string
		gateExit int
	}{
		{"testdata/pipeline/good", exitOK},
		{"testdata/pipeline/bad", exitFindings},
	} {
		t.Run("GitHub Actions "+filepath.Base(tc.repo), func(t *testing.T) {
			dir, codes, logs := runPipeline(t, tc.repo, ghSteps, tools, gobin, false)
			g := gate(ghSteps)
			for i, code := range codes {
				want := 0
				if i == g {
					want = tc.gateExit
				}
				if code != want {
					t.Errorf("%s: %q exited %d, want %d\n%s", ghSteps[i].name, ghSteps[i].command, code, want, logs)
				}
			}
			checkSARIF(t, filepath.Join(dir, sarifFile), tc.gateExit == exitFindings)
		})
		t.Run("CodeBuild "+filepath.Base(tc.repo), func(t *testing.T) {
			dir, codes, logs := runPipeline(t, tc.repo, cbSteps, tools, gobin, true)
			if len(codes) != len(cbSteps) {
				t.Fatalf("%d statuses for %d commands\n%s", len(codes), len(cbSteps), logs)
			}
			g := gate(cbSteps)
			for i, code := range codes {
				want := 0
				if i == g {
					want = tc.gateExit
				}
				if code != want {
					t.Errorf("%s: %q exited %d, want %d\n%s", cbSteps[i].name, cbSteps[i].command, code, want, logs)
				}
			}
			for _, a := range artifacts {
				data, err := os.ReadFile(filepath.Join(dir, a))
				if err != nil {
					t.Fatalf("artifact %s: %v", a, err)
				}
				var r iacReport
				if err := json.Unmarshal(data, &r); err != nil || len(r.Evaluations) == 0 {
					t.Errorf("artifact %s is not a report with evaluations: %v", a, err)
				}
			}
		})
	}
}

// checkSARIF reads the report the upload step sends: findings on the lines
// of the files in the repository, or none.
func checkSARIF(t *testing.T, path string, findings bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("SARIF report: %v", err)
	}
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil || log.Version != "2.1.0" {
		t.Fatalf("SARIF report: version %q, %v", log.Version, err)
	}
	var got []string
	for _, r := range log.Runs[0].Results {
		pl := r.Locations[0].PhysicalLocation
		line := 0
		if pl.Region != nil {
			line = pl.Region.StartLine
		}
		got = append(got, r.RuleID+" "+pl.ArtifactLocation.URI+":"+itoa(line))
	}
	var want []string
	if findings {
		want = []string{
			"restricted-ssh cloudformation/network.yaml:3",
			"vpc-sg-open-only-to-authorized-ports cloudformation/network.yaml:3",
			"cloud-trail-log-file-validation-enabled terraform/tfplan.json:1",
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		// Order follows the input order: templates by file name, then the plan.
		t.Errorf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
