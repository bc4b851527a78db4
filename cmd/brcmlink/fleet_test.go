// SPDX-License-Identifier: MIT

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fleetBlocks returns the fenced blocks of docs/config.md's fleet example,
// by the name of the "<!-- fleet NAME -->" comment before each.
func fleetBlocks(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "config.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		name, ok := strings.CutPrefix(lines[i], "<!-- fleet ")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, " -->")
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("config.md:%d: the fleet comment %q is not right before a fence", i+1, name)
		}
		var body []string
		for i += 2; i < len(lines) && lines[i] != "```"; i++ {
			body = append(body, lines[i])
		}
		blocks[name] = strings.Join(body, "\n") + "\n"
	}
	for _, want := range []string{"template", "vars board7", "vars board9", "tasks", "refused"} {
		if blocks[want] == "" {
			t.Fatalf("config.md has no fleet block %q", want)
		}
	}
	return blocks
}

// renderJinja renders the Jinja template as Ansible does for the variables of
// the example, which are all it uses.
func renderJinja(t *testing.T, template string, vars map[string]any) string {
	t.Helper()
	out := regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`).ReplaceAllStringFunc(template, func(m string) string {
		name := strings.Trim(m, "{} ")
		if name == "ansible_managed" {
			return "Ansible managed"
		}
		v, ok := vars[name]
		if !ok {
			t.Errorf("the template uses %s, which the board's variables lack", name)
		}
		return fmt.Sprint(v)
	})
	if strings.Contains(out, "{{") || strings.Contains(out, "{%") {
		t.Errorf("the example's template uses more Jinja than this test renders:\n%s", out)
	}
	return out
}

// validate runs the command line words, which start with brcmlink's
// path, with no kernel: validate must not dial.
func validate(t *testing.T, words []string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	status := Main(context.Background(), words[1:], &env{
		stdout: &out, stderr: &errOut,
		dial: func(string) (Backend, error) {
			t.Errorf("%q dialled the kernel", words)
			return nil, fmt.Errorf("no kernel")
		},
		links: func(string) (Links, error) {
			t.Errorf("%q dialled rtnetlink", words)
			return nil, fmt.Errorf("no kernel")
		},
	})
	return result{out.String(), errOut.String(), status}
}

// TestFleetExample runs the fleet example of docs/config.md: the template
// rendered with each board's variables, checked by the task's validate:
// command; the task installs it where brcmlink.service applies it, and
// notifies the handler that restarts that unit; a bad board's file is
// refused as the transcript says.
func TestFleetExample(t *testing.T) {
	blocks := fleetBlocks(t)
	var tasks []map[string]any
	if err := yaml.Unmarshal([]byte(blocks["tasks"]), &tasks); err != nil {
		t.Fatalf("the tasks: %v", err)
	}
	if len(tasks) != 2 {
		t.Fatalf("the tasks block has %d entries, want the task and the handler", len(tasks))
	}
	task, handler := tasks[0], tasks[1]
	tmpl, _ := task["ansible.builtin.template"].(map[string]any)
	check, _ := tmpl["validate"].(string)
	dest, _ := tmpl["dest"].(string)
	words := strings.Fields(check)
	if len(words) < 2 || words[0] != "/usr/sbin/brcmlink" || !strings.Contains(check, "%s") {
		t.Fatalf("validate: %q is no brcmlink command on %%s", check)
	}
	unit, err := os.ReadFile(filepath.Join("..", "..", "packaging", "brcmlink.service"))
	if err != nil {
		t.Fatal(err)
	}
	const execStart = "ExecStart=/usr/sbin/brcmlink apply /etc/brcmlink\n"
	if !strings.Contains(string(unit), execStart) {
		t.Fatalf("brcmlink.service has no %q", execStart)
	}
	if filepath.Dir(dest) != "/etc/brcmlink" || filepath.Ext(dest) != ".conf" {
		t.Errorf("the template is installed as %s, which brcmlink.service does not apply", dest)
	}
	svc, _ := handler["ansible.builtin.systemd_service"].(map[string]any)
	if task["notify"] != handler["name"] || svc["name"] != "brcmlink.service" || svc["state"] != "restarted" {
		t.Errorf("the task notifies %v, and the handler %v restarts %v (%v): want brcmlink.service restarted", task["notify"], handler["name"], svc["name"], svc["state"])
	}

	dir := t.TempDir()
	boardVars := map[string]map[string]any{}
	for _, board := range []string{"board7", "board9"} {
		var vars map[string]any
		if err := yaml.Unmarshal([]byte(blocks["vars "+board]), &vars); err != nil {
			t.Fatalf("%s's variables: %v", board, err)
		}
		boardVars[board] = vars
		// Ansible's copy of the rendered file, on the board.
		path := filepath.Join(dir, board+".source")
		if err := os.WriteFile(path, []byte(renderJinja(t, blocks["template"], vars)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmdline := strings.Fields(strings.ReplaceAll(check, "%s", path))
		if r := validate(t, cmdline); r.status != 0 || r.stdout != "" || r.stderr != "" {
			t.Errorf("%s: %q: %+v, want status 0 and nothing printed", board, cmdline, r)
		}
	}

	// The transcript of a bad board: board7 with its WAN on port 28.
	bad := boardVars["board7"]
	bad["brcm_wan_port"] = 28
	t.Chdir(dir)
	if err := os.WriteFile("board.conf", []byte(renderJinja(t, blocks["template"], bad)), 0o644); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(blocks["refused"], "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "$ brcmlink ") || lines[2] != "$ echo $?" {
		t.Fatalf("the refused transcript is not a command, its error, echo $? and the status:\n%s", blocks["refused"])
	}
	r := validate(t, strings.Fields(strings.TrimPrefix(lines[0], "$ ")))
	if r.stderr != lines[1]+"\n" || r.stdout != "" || strconv.Itoa(r.status) != lines[3] {
		t.Errorf("%s: %+v, but config.md says\n%s", lines[0], r, blocks["refused"])
	}
}
