#!/usr/bin/env bats
# man.bats - the man pages in tools/man: one per command and zreaper(8), clean for mandoc's
# linter and groff, and in step with --help (every long option it names is in the page).
# shellcheck disable=SC2154 # bats sets $stderr

bats_require_minimum_version 1.5.0
load helpers

MAN=$BATS_TEST_DIRNAME/../../tools/man

# commands: the commands `zreaper --help` lists.
commands() {
	"$ZR" --help | sed -n '/^Commands/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p'
}

@test "every page is clean for mandoc -T lint and groff's warnings" {
	local page
	for page in "$MAN"/*.8; do
		run -0 --separate-stderr mandoc -T lint "$page"
		assert_equal "$(basename "$page"): $output$stderr" "$(basename "$page"): "
		run -0 --separate-stderr groff -man -ww -z -Tutf8 "$page"
		assert_equal "$(basename "$page"): $stderr" "$(basename "$page"): "
	done
}

@test "a page for zreaper and for each command, and no other" {
	local want
	want=$( (echo zreaper.8; commands | sed 's/^/zreaper-/; s/$/.8/') | sort)
	assert_equal "$(find "$MAN" -name '*.8' -printf '%f\n' | sort)" "$want"
	assert_equal "$(commands | wc -l)" 6
}

@test "every long option in a command's --help appears in its page" {
	local cmd opt page missing=()
	for cmd in '' $(commands); do
		page=$MAN/zreaper${cmd:+-$cmd}.8
		# shellcheck disable=SC2086 # an empty $cmd is no word: zreaper --help
		run -0 "$ZR" $cmd --help
		while read -r opt; do
			grep -qe "$opt\\b" <(man_text "$page") || missing+=("$(basename "$page"): $opt")
		done < <(long_options "$output")
	done
	[[ ${#missing[@]} -eq 0 ]] || fail "options missing from their page: ${missing[*]}"
}

@test "each page names its command, its exit status and the other pages" {
	local page name
	for page in "$MAN"/*.8; do
		name=$(basename "$page" .8)
		run -0 grep -c -e '^\.SH EXIT STATUS' -e '^\.SH SEE ALSO' -e '^\.SH OPTIONS' "$page"
		assert_equal "$name: $output" "$name: 3"
		grep -q "^${name//-/\\\\-} \\\\- " "$page" || fail "$name: NAME line does not name it"
	done
}
