#!/bin/sh
# Installs the Debian 12 packages that building and testing need; does
# nothing (not even apt-get update) when all of them are there.
set -eu
pkgs="build-essential pkg-config libnl-genl-3-dev libnl-3-dev
      linux-image-amd64 linux-headers-amd64 linux-source-6.1
      bc flex bison libelf-dev libssl-dev python3
      qemu-system-x86 busybox-static cpio kmod iproute2 util-linux
      procps jq xz-utils clang libclang-rt-14-dev
      libsctp-dev rsplib-tools rsplib-registrar tshark"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
