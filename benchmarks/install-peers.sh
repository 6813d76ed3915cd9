#!/usr/bin/env bash
# Installs the peers filedex is benchmarked against, when they are missing and
# we are root on a Debian-like system. Without them the report lists each as
# missing; nothing is faked, and tests never need them.
set -u
missing=()
for pair in jdupes:jdupes plocate:plocate updatedb:plocate fdfind:fd-find hyperfine:hyperfine; do
	bin=${pair%%:*} pkg=${pair##*:}
	command -v "$bin" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "bench: installing missing peers with apt-get: $pkgs" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null ||
		echo "bench: apt-get failed; the missing peers will be reported as missing" >&2
else
	echo "bench: peers missing ($pkgs); not root or no apt-get, so they will be reported as missing" >&2
fi
exit 0
