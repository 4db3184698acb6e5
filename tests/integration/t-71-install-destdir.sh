#!/bin/bash
# t-71-install-destdir: make install DESTDIR=D PREFIX=P puts exactly the
# program, every topology of topo/ (folders kept), the manual pages and
# the bash completion under D/P, byte for byte as in the tree; the
# installed program runs and checks an installed example; make uninstall
# leaves no file and no folder of natlab's.  The expected tree comes from
# the source tree's own files, not from the Makefile.  When the tree has
# no manual pages yet, the rule for them is checked on a copy of the tree
# given two.
. "$(dirname "$0")/lib.sh"

PREFIX=/opt/t71

# expected_files SRC: the files install should put, as paths under
# DESTDIR, for the tree SRC.
expected_files() {
	local f

	echo "$PREFIX/bin/natlab"
	(cd "$1" && find topo -name '*.topo') | sed "s|^|$PREFIX/share/natlab/|"
	for f in natlab.8 natlab.topo.5; do
		[ -e "$1/man/$f" ] &&
			echo "$PREFIX/share/man/man${f##*.}/$f"
	done
	echo "$PREFIX/share/bash-completion/completions/natlab"
}

# same_as_source SRC D: every installed file is its source file's copy.
same_as_source() {
	local f src bad=""

	for f in $(expected_files "$1"); do
		case $f in
		*/bin/natlab) src=$1/natlab ;;
		*/share/natlab/*) src=$1/${f#"$PREFIX/share/natlab/"} ;;
		*/man/man*) src=$1/man/${f##*/} ;;
		*/completions/natlab) src=$1/completion/natlab.bash ;;
		esac
		cmp -s "$src" "$2$f" || bad="$bad $f"
	done
	echo "${bad# }"
}

# install_check SRC WHAT: install from the tree SRC into a new DESTDIR,
# check the tree, uninstall, check that nothing is left.
install_check() {
	local src=$1 what=$2 d

	d=$(mktemp -d "$T_TMP/destdir.XXXXXX")
	run make -s -C "$src" install DESTDIR="$d" PREFIX="$PREFIX"
	expect_rc "$what: make install" 0 || return
	expect_eq "$what: exactly the files expected, where expected" \
		"$(expected_files "$src" | sort)" \
		"$(cd "$d" && find . ! -type d | sed 's|^\.||' | sort)"
	expect_eq "$what: each a copy of its source" "" \
		"$(same_as_source "$src" "$d")"
	expect_eq "$what: the program executable" "-rwxr-xr-x" \
		"$(stat -c %A "$d$PREFIX/bin/natlab")"
	expect_eq "$what: the data not executable" "" \
		"$(find "$d$PREFIX/share" -type f -perm /111)"
	run "$d$PREFIX/bin/natlab" --version
	expect_eq "$what: the installed program's version is the build's" \
		"$("$src/natlab" --version)" "$OUT"
	expect_match "$what: version format" '^natlab [0-9]+\.[0-9]+\.[0-9]+' "$OUT"
	run "$d$PREFIX/bin/natlab" check "$d$PREFIX/share/natlab/topo/claims/c01-nat-clocks-a.topo"
	expect_rc "$what: the installed program checks an installed example" 0

	run make -s -C "$src" uninstall DESTDIR="$d" PREFIX="$PREFIX"
	expect_rc "$what: make uninstall" 0
	expect_eq "$what: no file left" "" "$(find "$d" ! -type d)"
	expect_eq "$what: no folder of natlab's left" "" \
		"$(find "$d" -path '*/share/natlab*')"
	# What stays: the shared folders install made (bin, share/man/manN,
	# completions), empty; uninstall leaves them, as automake's does.
	expect_eq "$what: only empty shared folders stay" "" \
		"$(find "$d" -type d -empty | sed "s|^$d$PREFIX||" |
			grep -Ev '^/(bin|share/man/man[58]|share/bash-completion/completions)$')"
}

[ -x "$TOP/natlab" ] || { echo "FAIL: $TOP/natlab is missing (run make)"; exit 1; }
install_check "$TOP" "the tree"

if [ -e "$TOP/man/natlab.8" ] && [ -e "$TOP/man/natlab.topo.5" ]; then
	pass "the tree has both manual pages: checked above"
else
	# A copy of the tree (times kept, so nothing but the version is
	# rebuilt) with two manual pages of the test's own.
	copy=$T_TMP/tree
	mkdir -p "$copy"
	tar -C "$TOP" --exclude=./.git -cf - . | tar -C "$copy" -xpf -
	mkdir -p "$copy/man"
	printf '.TH NATLAB 8\n.SH NAME\nnatlab\n' >"$copy/man/natlab.8"
	printf '.TH NATLAB.TOPO 5\n.SH NAME\nnatlab.topo\n' >"$copy/man/natlab.topo.5"
	run make -s -C "$copy" natlab
	expect_rc "the copy builds" 0 && install_check "$copy" "a copy with manual pages"
fi

finish
