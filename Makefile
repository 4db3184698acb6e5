# natlab - NAT gateway emulator for Linux network namespaces
#
# Sources live in src/, one folder per layer (docs/ARCHITECTURE.md);
# objects, generated headers and the unit-test program in build/.
CC      ?= cc
PKGS    := libnl-3.0 libnl-route-3.0 libnftnl libmnl libpcap libbpf jansson
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wshadow \
	   -Wno-unused-parameter
ifdef CI
WARN    += -Werror
endif
B       := build
CPPFLAGS += -D_GNU_SOURCE -std=c11 -Isrc -I$(B)/gen \
	    $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread -lm

# The layers, lowest first: a file includes headers of its own layer and
# of the layers below it only (scripts/layers checks it in make lint).
LAYERS  := lib topo engine lab run rfc
SRC     := $(filter-out %.bpf.c,$(wildcard $(LAYERS:%=src/%/*.c))) src/main.c
OBJ     := $(SRC:src/%.c=$(B)/%.o)
LIBOBJ  := $(filter-out $(B)/main.o,$(OBJ))
UNIT    := $(wildcard tests/unit/*.c)
UNITOBJ := $(UNIT:tests/unit/%.c=$(B)/unit/%.o)
UNITBIN := $(B)/unit-tests
HDRS    := $(wildcard src/*.h $(LAYERS:%=src/%/*.h))

all: natlab

natlab: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

$(B)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(B)/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

-include $(OBJ:.o=.d) $(UNITOBJ:.o=.d) $(B)/bench/report.d

# The built-in default topology is compiled into the binary.
$(B)/gen/default_topo.h: topo/default.topo
	@mkdir -p $(@D)
	xxd -i -n default_topo $< > $@.tmp && mv $@.tmp $@
$(B)/main.o: $(B)/gen/default_topo.h

# The version (scripts/version: git describe, else the file VERSION) is
# worked out on every build and the header replaced only when it changed,
# so that a new commit recompiles main.c alone.
$(B)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@echo "#define NATLAB_VERSION \"$$(./scripts/version)\"" > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
$(B)/main.o: $(B)/gen/version.h
FORCE:

# The tc clock program is compiled for BPF and embedded the same way; its
# BTF stays (libbpf needs it for the map and CO-RE), its DWARF does not.
BPF_CC     ?= clang
BPF_STRIP  ?= llvm-strip
BPF_CFLAGS := -O2 -g -target bpf -Wall -Isrc \
	      -I/usr/include/$(shell $(CC) -dumpmachine)
$(B)/gen/tsclock.bpf.o: src/engine/tsclock.bpf.c src/engine/tsbpf_abi.h \
			src/engine/tsmath.h src/lib/tcpwire.h
	@mkdir -p $(@D)
	$(BPF_CC) $(BPF_CFLAGS) -c -o $@ $<
	$(BPF_STRIP) -g $@
$(B)/gen/tsclock_bpf.h: $(B)/gen/tsclock.bpf.o
	xxd -i -n tsclock_bpf $< > $@.tmp && mv $@.tmp $@
$(B)/engine/tsbpf.o: $(B)/gen/tsclock_bpf.h

$(UNITBIN): $(UNITOBJ) $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $(UNITOBJ) $(LIBOBJ) $(LDLIBS) -lcunit

unit: $(UNITBIN)
	./$(UNITBIN)

# The report benchmark (scripts/bench-report): a synthetic run of many
# clients, the unit tests' (tests/unit/synth_run.c), through the writers.
BENCHREP := $(B)/bench-report
$(B)/bench/%.o: scripts/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<
$(BENCHREP): $(B)/bench/report.o $(B)/unit/synth_run.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

integration: natlab
	./tests/integration/run-all

check: natlab $(UNITBIN)
	./scripts/check

# The Debian package built from a copy of the tree, checked with lintian,
# installed, run and purged (t-72, root, two to three minutes): not in
# make check.
check-package:
	NATLAB_TEST_PACKAGE=1 LIMIT=600 ./tests/integration/run-all t-72

# The manual pages at mandoc's warning level (its style level also asks
# for the pages' cross-references to be installed on this machine), and
# natlab.8 against the usage text of the natlab just built.
lint:
	./scripts/layers
	mandoc -T lint -W warning man/natlab.8 man/natlab.topo.5
	clang-format --dry-run -Werror $(SRC) $(HDRS) tests/unit/*.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -D_GNU_SOURCE -Isrc \
		--suppress=missingIncludeSystem -i src/engine/tsclock.bpf.c \
		src tests/unit
	$(MAKE) -B CFLAGS="-O2 -Werror" natlab $(UNITBIN)
	./scripts/mancheck

# make install [PREFIX=/usr/local] [DESTDIR=]: the program; the built-in
# topologies and the scenarios of topo/, its folders kept, as examples in
# share/natlab/topo; the manual pages; the bash completion.  uninstall
# removes exactly what install put (the folders of share/natlab too).
PREFIX   ?= /usr/local
BINDIR   := $(PREFIX)/bin
DATADIR  := $(PREFIX)/share/natlab
MANDIR   := $(PREFIX)/share/man
COMPDIR  := $(PREFIX)/share/bash-completion/completions
EXAMPLES := $(wildcard topo/*.topo topo/*/*.topo)
MANPAGES := $(wildcard man/natlab.8 man/natlab.topo.5)
# man/natlab.8 -> $(MANDIR)/man8/natlab.8
man_dest  = $(MANDIR)/man$(subst .,,$(suffix $(1)))/$(notdir $(1))
INSTALLED := $(BINDIR)/natlab $(EXAMPLES:%=$(DATADIR)/%) \
	     $(foreach m,$(MANPAGES),$(call man_dest,$(m))) $(COMPDIR)/natlab

install: natlab
	install -D -m 755 natlab $(DESTDIR)$(BINDIR)/natlab
	for f in $(EXAMPLES); do \
		install -D -m 644 $$f $(DESTDIR)$(DATADIR)/$$f || exit 1; \
	done
	for m in $(MANPAGES); do \
		s=$${m##*.}; \
		install -D -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m#man/} \
			|| exit 1; \
	done
	install -D -m 644 completion/natlab.bash $(DESTDIR)$(COMPDIR)/natlab

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	for d in $(sort $(dir $(EXAMPLES))); do \
		echo "$(DESTDIR)$(DATADIR)/$$d"; \
	done | sort -r | xargs -r rmdir --ignore-fail-on-non-empty
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(B) natlab

.PHONY: all unit integration check check-package lint install uninstall clean FORCE
