# SPDX-License-Identifier: GPL-2.0
# make            the module (against Debian's 6.1 headers) and the tools
# make check      every test: KUnit on UML, selftests in QEMU, host tests
# make demo       boots the VM and shows pools being resolved, then two
#                 registrars sharing rsplib's PEs over ENRP
# make bench      selection cost beside a socket option's floor, and the
#                 registrars (rserpoold, rspregistrar, a null responder)
#                 under ASAP load, in the VM
# make install    the module, rspctl, rserpoold (with its systemd unit and
#                 a commented /etc/rserpool/rserpoold.conf), librserpool,
#                 examples, man pages
# make deps       installs the Debian packages all of this needs

VERSION := 0.1
KVER ?= $(shell sh tools/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -std=gnu11 -Iinclude/uapi -DRSP_VERSION=\"$(VERSION)\"
CFLAGS += $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
LDLIBS += $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

RSPCTL_OBJS := user/rspctl.o user/nl.o user/names.o user/json.o
LIB := user/lib/librserpool.a user/lib/librserpool.so.0
EXAMPLES := user/examples/rsp-echod user/examples/rsp-echo

# The selftests' C programs use the kselftest harness of the kernel tree
# that tools/ksrc.sh unpacks.
KSFT := build/linux-source-6.1/tools/testing/selftests
SELFTEST_BINS := selftests/sockopt_test selftests/lib_test \
		 selftests/codec_test selftests/stream_test selftests/codec_fuzz \
		 selftests/codec_fuzz_msan
CODEC := user/rserpoold/msg.c user/rserpoold/tlv.c user/rserpoold/checksum.c \
	 user/rserpoold/pe.c

.PHONY: all module user install deps check demo kunit selftests \
	selftest-bins bench clean

all: module user

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user: user/rspctl user/rserpoold/rserpoold $(LIB) user/lib/rserpool.pc \
	$(EXAMPLES)

user/rspctl: $(RSPCTL_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

user/%.o: user/%.c user/*.h include/uapi/linux/rserpool.h
	$(CC) $(CFLAGS) -c -o $@ $<

RSERPOOLD_OBJS := $(CODEC:.c=.o) user/rserpoold/kern.o \
		  user/rserpoold/asap.o user/rserpoold/enrp.o user/rserpoold/util.o \
		  user/rserpoold/stream.o user/rserpoold/mcast.o \
		  user/rserpoold/rserpoold.o user/nl.o

user/rserpoold/%.o: user/rserpoold/%.c user/rserpoold/*.h user/nl.h \
		include/uapi/linux/rserpool.h
	$(CC) $(CFLAGS) -pthread -c -o $@ $<

user/rserpoold/rserpoold: $(RSERPOOLD_OBJS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LDLIBS) -lsctp

# The same under AddressSanitizer and UBSan, for selftests that run the
# daemon so (selftests/run.sh); not installed.  clang: GCC's UBSan writes
# to stderr whatever log_path says.
user/rserpoold/rserpoold-san: $(RSERPOOLD_OBJS:.o=.c) user/rserpoold/*.h \
		user/nl.h include/uapi/linux/rserpool.h
	clang $(CFLAGS) -O1 -fsanitize=address,undefined \
		-fno-omit-frame-pointer -pthread -o $@ \
		$(RSERPOOLD_OBJS:.o=.c) $(LDLIBS) -lsctp

# And with ThreadSanitizer: its ASAP reader thread beside the main loop.
user/rserpoold/rserpoold-tsan: $(RSERPOOLD_OBJS:.o=.c) user/rserpoold/*.h \
		user/nl.h include/uapi/linux/rserpool.h
	clang $(CFLAGS) -O1 -fsanitize=thread -pthread -o $@ \
		$(RSERPOOLD_OBJS:.o=.c) $(LDLIBS) -lsctp

# librserpool: static, and shared with its soname.
user/lib/rserpool.o: user/lib/rserpool.c user/lib/rserpool.h \
		include/uapi/linux/rserpool.h
	$(CC) $(CFLAGS) -fPIC -c -o $@ $<

user/lib/librserpool.a: user/lib/rserpool.o
	$(AR) rcs $@ $^

user/lib/librserpool.so.0: user/lib/rserpool.o
	$(CC) $(LDFLAGS) -shared -Wl,-soname,librserpool.so.0 -o $@ $^

user/lib/rserpool.pc: user/lib/rserpool.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

user/examples/rsp-echo: user/examples/rsp-echo.c user/lib/librserpool.a
	$(CC) $(CFLAGS) -Iuser/lib -o $@ $< user/lib/librserpool.a

user/examples/rsp-echod: user/examples/rsp-echod.c user/nl.o user/names.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod $(KVER)
	install -D -m 755 user/rspctl $(DESTDIR)$(PREFIX)/sbin/rspctl
	install -D -m 644 doc/rspctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/rspctl.8
	install -D -m 755 user/rserpoold/rserpoold \
		$(DESTDIR)$(PREFIX)/sbin/rserpoold
	install -D -m 644 doc/rserpoold.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/rserpoold.8
	install -D -m 644 doc/rserpool.3 $(DESTDIR)$(PREFIX)/share/man/man3/rserpool.3
	install -D -m 644 user/lib/rserpool.h $(DESTDIR)$(PREFIX)/include/rserpool.h
	install -D -m 644 include/uapi/linux/rserpool.h \
		$(DESTDIR)$(PREFIX)/include/linux/rserpool.h
	install -D -m 644 user/lib/librserpool.a $(DESTDIR)$(PREFIX)/lib/librserpool.a
	install -D -m 755 user/lib/librserpool.so.0 \
		$(DESTDIR)$(PREFIX)/lib/librserpool.so.0
	ln -sf librserpool.so.0 $(DESTDIR)$(PREFIX)/lib/librserpool.so
	install -D -m 644 user/lib/rserpool.pc \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/rserpool.pc
	install -D -m 755 user/examples/rsp-echod $(DESTDIR)$(PREFIX)/bin/rsp-echod
	install -D -m 755 user/examples/rsp-echo $(DESTDIR)$(PREFIX)/bin/rsp-echo
	mkdir -p $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|/usr/local/sbin|$(PREFIX)/sbin|' etc/rserpoold.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/rserpoold.service
	# An operator's configuration is never overwritten.
	[ -e $(DESTDIR)/etc/rserpool/rserpoold.conf ] || \
		install -D -m 644 etc/rserpoold.conf \
			$(DESTDIR)/etc/rserpool/rserpoold.conf

selftest-bins: $(SELFTEST_BINS) tools/bench/asapbench \
		user/rserpoold/rserpoold-san user/rserpoold/rserpoold-tsan

$(KSFT)/kselftest_harness.h:
	sh tools/ksrc.sh >/dev/null

selftests/%: selftests/%.c include/uapi/linux/rserpool.h \
		$(KSFT)/kselftest_harness.h user/lib/librserpool.a
	$(CC) -O2 -g -Wall -Iinclude/uapi -Iuser/lib -I$(KSFT) -o $@ $< \
		user/lib/librserpool.a

tools/bench/selbench: tools/bench/selbench.c include/uapi/linux/rserpool.h
	$(CC) $(CFLAGS) -o $@ $<

tools/bench/asapbench: tools/bench/asapbench.c $(CODEC) user/rserpoold/kern.c \
		user/nl.c user/rserpoold/*.h user/nl.h
	$(CC) $(CFLAGS) -o $@ $< $(CODEC) user/rserpoold/kern.c user/nl.c \
		$(LDLIBS) -lsctp

bench: all tools/bench/selbench tools/bench/asapbench
	VM_APPEND=idle=poll sh tools/vm/run.sh -t 3600 sh -c \
		'sh tools/bench/run.sh && sh tools/bench/regbench.sh'


# The codec's test reads bytes that a peer chose: AddressSanitizer and
# UBSan watch every read.
selftests/codec_test: selftests/codec_test.c $(CODEC) user/rserpoold/*.h \
		$(KSFT)/kselftest_harness.h
	$(CC) -O1 -g -Wall -fsanitize=address,undefined -fno-omit-frame-pointer \
		-Iinclude/uapi -Iuser/rserpoold -I$(KSFT) -o $@ \
		selftests/codec_test.c $(CODEC)

selftests/stream_test: selftests/stream_test.c user/rserpoold/stream.c \
		user/rserpoold/util.c user/rserpoold/*.h $(KSFT)/kselftest_harness.h
	$(CC) -O1 -g -Wall -fsanitize=address,undefined -fno-omit-frame-pointer \
		-Iinclude/uapi -Iuser/rserpoold -I$(KSFT) -o $@ \
		selftests/stream_test.c user/rserpoold/stream.c \
		user/rserpoold/util.c -lsctp

selftests/codec_fuzz: selftests/codec_fuzz.c $(CODEC) user/rserpoold/*.h
	clang -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Iinclude/uapi -Iuser/rserpoold \
		-o $@ selftests/codec_fuzz.c $(CODEC)

# The same under MemorySanitizer: decoded PEs are cleared only as far as
# they are used, and nothing may read past that.
selftests/codec_fuzz_msan: selftests/codec_fuzz.c $(CODEC) user/rserpoold/*.h
	clang -O1 -g -fsanitize=fuzzer,memory -fsanitize-memory-track-origins \
		-fno-omit-frame-pointer -Iinclude/uapi -Iuser/rserpoold \
		-o $@ selftests/codec_fuzz.c $(CODEC)

deps:
	sh tools/deps.sh

check:
	sh tools/check.sh

demo:
	sh tools/deps.sh
	$(MAKE) all
	sh tools/vm/run.sh sh tools/demo.sh

kunit:
	sh tools/kunit.sh

selftests: all selftest-bins
	sh tools/vm/run.sh sh selftests/run.sh
	VM_CPU=max sh tools/vm/run.sh sh selftests/tsan.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -f user/rspctl user/*.o user/lib/*.o user/lib/rserpool.pc $(LIB) \
		user/rserpoold/*.o user/rserpoold/rserpoold \
		user/rserpoold/rserpoold-san user/rserpoold/rserpoold-tsan \
		$(EXAMPLES) $(SELFTEST_BINS) tools/bench/selbench \
		tools/bench/asapbench
	rm -rf build/vm
