#!/bin/bash
# t-72-package: the Debian package, end to end.  dpkg-buildpackage -b
# builds it from a copy of the tree; lintian finds no error and no
# warning but those the README explains; its Depends name the package of
# every library the program links (found with dpkg -S, not from
# debian/); apt-get installs it; the installed /usr/bin/natlab reports
# the changelog's version, checks an installed example and runs a short
# lab; apt-get purge leaves none of the files the package had.
#
# Two to three minutes (the build most of it), so make check skips it:
# make check-package runs it (NATLAB_TEST_PACKAGE=1).  It refuses to
# touch a natlab package or /usr/bin/natlab that it did not install.
. "$(dirname "$0")/lib.sh"
require_root
[ "${NATLAB_TEST_PACKAGE:-0}" = 1 ] || skip "make check-package runs it"
for t in dpkg-buildpackage dh lintian apt-get; do
	command -v "$t" >/dev/null || skip "$t is missing (scripts/setup)"
done
if dpkg-query -W -f='${Status}' natlab 2>/dev/null | grep -q installed ||
	[ -e /usr/bin/natlab ] || [ -e /usr/share/natlab ]; then
	skip "a natlab is installed already; the test installs and purges its own"
fi

APT="apt-get -y -q -o DPkg::Lock::Timeout=120"
INSTALLED=0
pkg_purge() {
	[ "$INSTALLED" = 1 ] && $APT purge natlab >/dev/null 2>&1
	INSTALLED=0
}
trap 'pkg_purge; cleanup' EXIT

# ---- Build-Depends: what scripts/setup installs ----
setup=$(sed -n '/^pkgs="/,/"$/p' "$TOP/scripts/setup" | tr -d '"\\' |
	sed 's/^pkgs=//' | tr ' ' '\n' | sed '/^$/d')
bdeps=$(awk '/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, "") }
	on && /^[A-Z]/ && !/^Build-Depends:/ { on = 0 }
	on { print }' "$TOP/debian/control" | tr ',' '\n' |
	sed 's/[(<].*//; s/|.*//; s/^ *//; s/ *$//' | sed '/^$/d')
for p in $bdeps; do
	[ "$p" = debhelper-compat ] && continue
	expect_match "Build-Depends $p is in scripts/setup" "^$p\$" "$setup"
done

# ---- build ----
ver=$(cd "$TOP" && dpkg-parsechangelog -S Version)
src=$T_TMP/pkg/natlab-$ver
mkdir -p "$src"
tar -C "$TOP" --exclude=./.git --exclude=./build --exclude=./natlab \
	-cf - . | tar -C "$src" -xf -
start=$SECONDS
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$T_TMP/build.log" 2>&1
RC=$?
echo "build: $((SECONDS - start)) s"
if [ "$RC" != 0 ]; then
	tail -n 30 "$T_TMP/build.log"
	fail "dpkg-buildpackage -b -us -uc" "exit 0" "exit $RC"
	finish
fi
deb=$(ls "$T_TMP"/pkg/natlab_"$ver"_*.deb 2>/dev/null)
expect_true "the .deb is made" test -f "$deb" || finish
expect_eq "its version is the changelog's" "$ver" "$(dpkg-deb -f "$deb" Version)"

# ---- lintian: the tags the README explains, no others ----
tags=$(lintian --pedantic "$T_TMP"/pkg/natlab_"$ver"_*.changes 2>/dev/null |
	awk '/^[EWIP]: / { print $1, $3 }' | sort -u)
allowed=""
[ -e "$TOP/man/natlab.8" ] || allowed="W: no-manual-page"
expect_eq "lintian: no tag but those the README explains" "$allowed" "$tags"

# ---- Depends: the package of every library the program links ----
needed=$(objdump -p "$src/natlab" | awk '$1 == "NEEDED" { print $2 }')
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | awk '{ print $1 }')
for lib in $needed; do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
	# dpkg knows the path its package shipped: /lib or /usr/lib
	pkg=$(dpkg -S "$path" "/usr${path#/usr}" "$(readlink -f "$path")" \
		2>/dev/null | head -n 1 | cut -d: -f1)
	expect_match "Depends names $pkg, which has $lib" "^$pkg\$" "$depends"
done
expect_eq "Recommends" "iproute2" "$(dpkg-deb -f "$deb" Recommends)"

# ---- install ----
run $APT install "$deb"
expect_rc "apt-get install ./$(basename "$deb")" 0 || finish
INSTALLED=1
files=$(dpkg -L natlab)
expect_match "the program is /usr/bin/natlab" '^/usr/bin/natlab$' "$files"
expect_match "the examples" '^/usr/share/natlab/topo/claims/c01-nat-clocks-a\.topo$' "$files"
expect_match "the bash completion" '^/usr/share/bash-completion/completions/natlab$' "$files"
if [ -e "$TOP/man/natlab.8" ]; then
	expect_match "the manual page natlab(8)" '^/usr/share/man/man8/natlab\.8\.gz$' "$files"
	expect_match "the manual page natlab.topo(5)" '^/usr/share/man/man5/natlab\.topo\.5\.gz$' "$files"
fi
expect_eq "every file the package lists is there" "" \
	"$(printf '%s\n' "$files" | while read -r f; do [ -e "$f" ] || echo "$f"; done)"

run /usr/bin/natlab --version
expect_eq "natlab --version" "natlab $ver" "$OUT"
run /usr/bin/natlab check /usr/share/natlab/topo/default.topo
expect_rc "check the installed default topology" 0
expect_match "check says OK" "^configuration OK: lab natlab, 2 networks" "$OUT"

new_lab LAB
run /usr/bin/natlab run -n "$LAB" --json "$T_TMP/run.json" \
	/usr/share/natlab/topo/default.topo
expect_rc "a run of the installed default topology" 0
expect_eq "the run's report names its lab" "$LAB" "$(jget "$T_TMP/run.json" "d['lab']")"
expect_true "the run made connections" \
	in_range "$(jmetric "$T_TMP/run.json" clients.established)" 1 1000000
expect_gone "$LAB"

# ---- purge ----
run $APT purge natlab
expect_rc "apt-get purge natlab" 0
INSTALLED=0
run dpkg -L natlab
expect_eq "dpkg lists no files of natlab" "" "$OUT"
left=$(printf '%s\n' "$files" | while read -r f; do
	# folders the package shared with others stay, as dpkg leaves them
	[ "$f" = /. ] && continue
	[ -d "$f" ] && [ -n "$(dpkg -S "$f" 2>/dev/null)" ] && continue
	[ -e "$f" ] && echo "$f"
done)
expect_eq "nothing the package had is left" "" "$left"
expect_eq "no /usr/share/natlab, no /usr/share/doc/natlab" "" \
	"$(ls -d /usr/share/natlab /usr/share/doc/natlab 2>/dev/null)"

finish
