// SPDX-License-Identifier: MIT

package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/rtlink"
	"golang.org/x/sys/unix"
)

// filesDirective is what grammar.CompleteCommand prints when a file name
// comes next.
const filesDirective = ":files"

// Complete runs grammar.CompleteCommand, which the completion scripts
// run: it prints one candidate a line, "WORD\tHELP" or WORD, or
// filesDirective. The grammar decides, so the scripts hold no knowledge of
// the command line and cannot drift.
func (r *runner) Complete(req *grammar.Request) error {
	c := grammar.Complete(req.Args, r.sources)
	if c.Files {
		r.out.WriteString(filesDirective + "\n")
	}
	for _, cand := range c.Candidates {
		r.out.WriteString(cand.Word)
		if cand.Help != "" {
			r.out.WriteString("\t" + cand.Help)
		}
		r.out.WriteString("\n")
	}
	return nil
}

// Completion prints the completion script of a shell.
func (r *runner) Completion(req *grammar.Request) error {
	_, err := r.out.WriteString(completionScript(req.Shell))
	return err
}

// portNames lists the ports of netns, opened with dial, for completion;
// nothing if it cannot.
func portNames(dial Dialer, netns string) []string {
	be, err := dial(netns)
	if err != nil {
		return nil
	}
	defer be.Close()
	ps, err := be.List()
	if err != nil {
		return nil
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	slices.Sort(names)
	return names
}

// dirNames lists the names in dir, for completion.
func dirNames(dir string) func() []string {
	return func() []string {
		es, err := os.ReadDir(dir)
		if err != nil {
			return nil
		}
		names := make([]string, len(es))
		for i, e := range es {
			names[i] = e.Name()
		}
		return names
	}
}

// lowerNames lists the devices of the network namespace netns ("" for
// this one) that can carry ports, for completion; nothing if it cannot.
func lowerNames(netns string) []string {
	c, err := dialRtlink(netns)
	if err != nil {
		return nil
	}
	defer c.Close()
	ds, err := c.Devices()
	if err != nil {
		return nil
	}
	return lowersOf(ds)
}

// lowersOf returns the names of the devices of ds that can carry ports:
// Ethernet (which leaves out lo) and no brcm port.
func lowersOf(ds []rtlink.Device) []string {
	var names []string
	for _, d := range ds {
		if d.Type == unix.ARPHRD_ETHER && d.Kind != brcmlink.Kind {
			names = append(names, d.Name)
		}
	}
	return names
}

// completionScript is the script of shell, which asks brcmlink
// __complete what comes next.
func completionScript(shell string) string {
	return strings.NewReplacer("PROG", grammar.Program, "COMPLETE", grammar.CompleteCommand, "FILES", filesDirective).Replace(scripts[shell])
}

var scripts = map[string]string{
	"bash": `# bash completion for PROG: source <(PROG completion bash)
_PROG() {
    local cur=${COMP_WORDS[COMP_CWORD]} line
    COMPREPLY=()
    while IFS= read -r line; do
        if [[ $line == FILES ]]; then
            compopt -o filenames 2>/dev/null
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
        else
            COMPREPLY+=("${line%%$'\t'*}")
        fi
    done < <("${COMP_WORDS[0]}" COMPLETE "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -F _PROG PROG
`,
	"zsh": `#compdef PROG
# zsh completion for PROG: source <(PROG completion zsh), or save as _PROG in $fpath
_PROG() {
    local -a cands
    local line word
    for line in "${(@f)$("${words[1]}" COMPLETE "${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
        [[ -z $line ]] && continue
        if [[ $line == FILES ]]; then
            _files
            return
        fi
        word=${line%%$'\t'*}
        if [[ $line == *$'\t'* ]]; then
            cands+=("${word//:/\\:}:${line#*$'\t'}")
        else
            cands+=("${word//:/\\:}")
        fi
    done
    _describe PROG cands
}
if [[ $funcstack[1] == _PROG ]]; then
    _PROG "$@"
else
    compdef _PROG PROG
fi
`,
	"fish": `# fish completion for PROG: PROG completion fish | source
function __PROG_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    for line in ($words[1] COMPLETE $words[2..-1] "$cur" 2>/dev/null)
        if test "$line" = FILES
            __fish_complete_path (commandline -ct)
        else
            echo $line
        end
    end
end
complete -c PROG -f -a '(__PROG_complete)'
`,
}

// init makes sure that every shell the grammar names has a script.
func init() {
	for _, a := range grammar.Commands {
		for _, arg := range a.Args() {
			if arg.Field == grammar.FieldShell && scripts[arg.Keyword] == "" {
				panic(fmt.Sprintf("brcmlink: no completion script for %s", arg.Keyword))
			}
		}
	}
}
