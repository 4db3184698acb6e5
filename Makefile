# natlab - NAT gateway emulator for Linux network namespaces
CC      ?= cc
PKGS    := libnl-3.0 libnl-route-3.0 libnftnl libmnl libpcap libbpf
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wshadow \
	   -Wno-unused-parameter
ifdef CI
WARN    += -Werror
endif
CPPFLAGS += -D_GNU_SOURCE -std=c11 $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread -lm

SRC     := $(filter-out %.bpf.c,$(wildcard src/*.c))
OBJ     := $(SRC:.c=.o)
LIBOBJ  := $(filter-out src/main.o,$(OBJ))
UNIT    := $(wildcard tests/unit/*.c)

all: natlab

natlab: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

src/%.o: src/%.c $(wildcard src/*.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# The built-in default topology is compiled into the binary.
src/default_topo.h: topo/default.topo
	xxd -i -n default_topo $< > $@.tmp && mv $@.tmp $@
src/main.o: src/default_topo.h

# The tc clock program is compiled for BPF and embedded the same way; its
# BTF stays (libbpf needs it for the map and CO-RE), its DWARF does not.
BPF_CC     ?= clang
BPF_STRIP  ?= llvm-strip
BPF_CFLAGS := -O2 -g -target bpf -Wall \
	      -I/usr/include/$(shell $(CC) -dumpmachine)
src/tsclock.bpf.o: src/tsclock.bpf.c src/tsbpf_abi.h src/tsmath.h
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<
	$(BPF_STRIP) -g $@
src/tsclock_bpf.h: src/tsclock.bpf.o
	xxd -i -n tsclock_bpf $< > $@.tmp && mv $@.tmp $@
src/tsbpf.o: src/tsclock_bpf.h

tests/unit/run: $(UNIT) $(LIBOBJ)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Isrc -o $@ $(UNIT) $(LIBOBJ) \
		$(LDLIBS) -lcunit

unit: tests/unit/run
	./tests/unit/run

integration: natlab
	./tests/integration/run-all

check: natlab tests/unit/run
	./scripts/check

lint:
	clang-format --dry-run -Werror src/*.c \
		$(filter-out src/default_topo.h src/tsclock_bpf.h,$(wildcard src/*.h)) \
		tests/unit/*.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -D_GNU_SOURCE --suppress=missingIncludeSystem \
		-i src/tsclock.bpf.c src tests/unit
	$(MAKE) -B CFLAGS="-O2 -Werror" natlab tests/unit/run

clean:
	rm -f natlab src/*.o src/default_topo.h src/tsclock_bpf.h tests/unit/run

.PHONY: all unit integration check lint clean
