#!/bin/sh
# The release of Debian's 6.1 kernel that is installed: the module and the
# VM are built and booted against it.
ls /lib/modules | grep -- '^6\.1\..*-amd64$' | sort -V | tail -n 1
