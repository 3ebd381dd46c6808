#!/bin/sh
# Boots Debian's kernel in QEMU (TCG, no network device) with this
# machine's root read-only over 9p and the repository writable, runs
# COMMAND in the repository inside the guest, and exits with its status.
#
# usage: tools/vm/run.sh [-m MEMORY_MB] [-t TIMEOUT_S] COMMAND [ARG...]
# VM_APPEND: more for the guest kernel's command line; VM_CPU: QEMU's
# CPU model (its default, qemu64, lacks instructions that
# ThreadSanitizer's runtime uses: "max" has them).
set -eu
mem=1536
limit=1200
while getopts m:t: o; do
	case $o in
	m) mem=$OPTARG ;;
	t) limit=$OPTARG ;;
	*) echo "usage: $0 [-m MB] [-t SECONDS] COMMAND..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-m MB] [-t SECONDS] COMMAND..." >&2; exit 2; }

top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${KVER:-$(sh "$top/tools/kver.sh")}
vm=$top/build/vm
mkdir -p "$vm"

# The initramfs: static busybox, the 9p module chain, the first init.
initrd=$vm/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$top/tools/vm/initramfs-init" -nt "$initrd" ]; then
	stage=$(mktemp -d)
	mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" \
		"$stage/sys" "$stage/dev" "$stage/newroot"
	cp /bin/busybox "$stage/bin/busybox"
	cp "$top/tools/vm/initramfs-init" "$stage/init"
	chmod +x "$stage/init"
	for m in virtio_ring virtio virtio_pci_legacy_dev \
		 virtio_pci_modern_dev virtio_pci netfs fscache 9pnet \
		 9pnet_virtio 9p; do
		f=$(find "/lib/modules/$kver/kernel" -name "$m.ko" | head -n 1)
		[ -n "$f" ] || { echo "run.sh: $m.ko not found" >&2; exit 1; }
		cp "$f" "$stage/lib/modules/"
	done
	(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"
	rm -rf "$stage"
fi

# The command, quoted once here so that the guest runs it verbatim.
: > "$vm/cmd"
for a in "$@"; do
	printf "'%s' " "$(printf %s "$a" | sed "s/'/'\\\\''/g")" >> "$vm/cmd"
done
echo >> "$vm/cmd"
echo "$top" > "$vm/repo"
rm -f "$vm/rc" "$vm/out"

# shellcheck disable=SC2086
timeout "$limit" qemu-system-x86_64 -accel tcg,thread=multi -smp 2 \
	${VM_CPU:+-cpu "$VM_CPU"} \
	-m "$mem" -display none -monitor none -serial stdio -no-reboot \
	-nic none \
	-kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 oops=panic ${VM_APPEND:-}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$top,mount_tag=repo,security_model=none" \
	</dev/null || true

if [ ! -s "$vm/rc" ]; then
	echo "run.sh: the guest ended without a status (crash or timeout)" >&2
	exit 125
fi
exit "$(cat "$vm/rc")"
