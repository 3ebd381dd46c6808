#!/bin/sh
# Unpacks Debian's linux-source-6.1 under build/ once and prints the path
# of the tree: KUnit builds from it, checkpatch.pl runs from it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/linux-source-6.1
if [ ! -f "$src/Makefile" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || {
		echo "ksrc.sh: linux-source-6.1 is not installed" >&2
		exit 1
	}
	mkdir -p "$top/build"
	echo "ksrc.sh: unpacking $tarball" >&2
	tar -C "$top/build" -xf "$tarball"
fi
echo "$src"
