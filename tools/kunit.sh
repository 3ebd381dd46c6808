#!/bin/sh
# Runs the KUnit suites on UML with the kernel's own kunit.py, from
# Debian's linux-source-6.1 unpacked under build/.  kunit.py has no hook
# for external modules, so the module is linked into the tree as
# net/rserpool (see DESIGN.md).  Prints kunit.py's output; exits non-zero
# if a test failed or the run broke.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
src=$(sh "$top/tools/ksrc.sh")
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
