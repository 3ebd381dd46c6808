#!/bin/sh
# Runs the KUnit suites on UML with the kernel's own kunit.py, from
# Debian's linux-source-6.1 unpacked under build/.  kunit.py has no hook
# for external modules, so the module is linked into the tree as
# net/rserpool (see DESIGN.md).  Prints kunit.py's output; exits non-zero
# if a test failed or the run broke.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
src=$top/build/linux-source-6.1
[ -n "$tarball" ] || { echo "kunit.sh: linux-source-6.1 is not installed" >&2; exit 1; }
if [ ! -f "$src/Makefile" ]; then
	mkdir -p "$top/build"
	echo "kunit.sh: unpacking $tarball"
	tar -C "$top/build" -xf "$tarball"
fi
ln -sfn "$top/kernel" "$src/net/rserpool"
ln -sf "$top/include/uapi/linux/rserpool.h" \
	"$src/include/uapi/linux/rserpool.h"
grep -q 'net/rserpool/Kconfig' "$src/net/Kconfig" ||
	sed -i 's|^endif   # if NET$|source "net/rserpool/Kconfig"\n\n&|' \
		"$src/net/Kconfig"
grep -q 'rserpool/' "$src/net/Makefile" ||
	echo 'obj-$(CONFIG_RSERPOOL)		+= rserpool/' >> "$src/net/Makefile"

cd "$src"
exec python3 tools/testing/kunit/kunit.py run --arch=um \
	--kunitconfig="$top/kernel/.kunitconfig" \
	--build_dir="$top/build/kunit" --jobs="$(nproc)" "$@"
