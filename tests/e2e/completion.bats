#!/usr/bin/env bats
# completion.bats - tools/completion/zreaper, driven as bash would drive it: COMP_WORDS,
# COMP_CWORD, COMP_LINE and COMP_POINT set for a command line, then the completion function.
# Commands, each command's options (held to --help and the man page), --events kinds, --actions
# names, --only/--except keys, pids, files, and CMD after `run`.

bats_require_minimum_version 1.5.0
load helpers

ROOT=$BATS_TEST_DIRNAME/../..

setup() {
	# bash-completion's helpers (_init_completion, _pids, _filedir...), then ours.
	# shellcheck disable=SC1091 # not ours; ours is checked on its own by make check
	source /usr/share/bash-completion/bash_completion
	# shellcheck disable=SC1091
	source "$ROOT/tools/completion/zreaper"
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# complete_line LINE: the candidates for LINE with the cursor at its end, one per line, sorted, in
# $output. The words are split as bash splits them (COMP_WORDBREAKS: '=' and ':' are words).
complete_line() {
	local line=$1 w words=()
	read -ra parts <<<"$line"
	for w in "${parts[@]}"; do
		while [[ $w =~ ^([^=:]*)([=:])(.*)$ ]]; do
			[[ -z ${BASH_REMATCH[1]} ]] || words+=("${BASH_REMATCH[1]}")
			words+=("${BASH_REMATCH[2]}")
			w=${BASH_REMATCH[3]}
		done
		[[ -z $w ]] || words+=("$w")
	done
	[[ $line != *' ' ]] || words+=("")
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=$((${#words[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	# As bash calls it: without errexit, which bash-completion's helpers are not written for.
	output=$(
		set +e
		COMPREPLY=()
		_zreaper zreaper "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}" | sort
	)
}

# assert_has WORD...: each WORD is a candidate.
assert_has() {
	local w
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$output" || fail "'$w' not among the candidates: $output"
	done
}

@test "commands: zreaper tr<TAB> gives trace and tree; an empty word all six" {
	complete_line "zreaper tr"
	assert_output "trace
tree"
	complete_line "zreaper "
	assert_has trace zombies tree run reap replay --help --version
	complete_line "zreaper re"
	assert_output "reap
replay"
}

@test "each command's options: every long option of its --help, nothing its page lacks" {
	local cmd opt page
	for cmd in trace zombies tree run reap replay; do
		run -0 "$ZR" "$cmd" --help
		local help=$output
		complete_line "zreaper $cmd --"
		while read -r opt; do
			# replay's help names trace's --record, as where recordings come from
			[[ $cmd == replay && $opt == --record ]] && continue
			assert_has "$opt"
		done < <(long_options "$help")
		page=$(man_text "$ROOT/tools/man/zreaper-$cmd.8")
		for opt in $output; do
			[[ $opt == -- ]] || grep -qe "$opt\\b" <<<"$page" ||
				fail "zreaper $cmd: completion offers $opt, zreaper-$cmd.8 does not know it"
		done
	done
	complete_line "zreaper trace -"
	assert_has -p -n -u -c -x --json
}

@test "--events: the kinds, one after another in a comma-separated list" {
	complete_line "zreaper trace --events "
	assert_has fork exec exit wait reap orphan zombie signal subreaper snapshot all
	complete_line "zreaper trace --events fork,ex"
	assert_output "fork,exec
fork,exit"
	complete_line "zreaper replay f.zr --json --events=zom"
	assert_output "zombie"
}

@test "--actions names; --only and --except keys, then pids, users, comms" {
	complete_line "zreaper reap --actions "
	assert_output "inject
kill-parent
nudge"
	complete_line "zreaper reap --actions nudge,k"
	assert_output "nudge,kill-parent"
	complete_line "zreaper reap --only "
	assert_output "cgroup=
comm=
pid=
uid="
	complete_line "zreaper reap --dry-run --except c"
	assert_output "cgroup=
comm="
	complete_line "zreaper reap --only pid=$$"
	assert_has "$$"
	complete_line "zreaper reap --only uid=roo"
	assert_output "root"
}

@test "pids for -p, users for -u, signals for run -p" {
	complete_line "zreaper trace -p $$"
	assert_has "$$"
	complete_line "zreaper tree --pid $$"
	assert_has "$$"
	complete_line "zreaper trace --json -u roo"
	assert_output "root"
	complete_line "zreaper run -p SIGKI"
	assert_output "SIGKILL"
}

@test "files for --record, --output and replay's FILE" {
	touch rec.zr rec2.zr other
	complete_line "zreaper trace --record re"
	assert_output "rec.zr
rec2.zr"
	complete_line "zreaper trace --output ot"
	assert_output "other"
	complete_line "zreaper replay rec"
	assert_output "rec.zr
rec2.zr"
}

@test "run: its options, then CMD from PATH, then CMD's own arguments" {
	complete_line "zreaper run --"
	assert_has --grace --no-kill --log-reaps --
	complete_line "zreaper run -- bas"
	assert_has bash
	complete_line "zreaper run -g -e 143 bas"
	assert_has bash
	complete_line "zreaper run --grace 5s bas"
	assert_has bash
	# After CMD: CMD's completion (bash-completion's default, files here).
	touch afile
	complete_line "zreaper run -- cat af"
	assert_output "afile"
}
