# brcmlink: the brcm kernel module, its Go packages, and the VM that
# proves them. `make test` is the one command CI runs.

SHELL := /bin/bash
CACHE ?= $(CURDIR)/.cache
export BRCM_CACHE := $(CACHE)
GO ?= go
STATICCHECK_VERSION := v0.8.2

# The kernels brcm.ko is built for and tested on: kbuild/kernels.
# KVER picks one for `make module`; the first is the default.
KERNELS := $(shell . kbuild/kernels.sh && kernels_list)
KVER ?= $(firstword $(KERNELS))
KSRC := $(CACHE)/linux-source

.PHONY: all build go-version prepare module modules go lint unit integration test-vm test test-debug vm-shell clean demo bench bench-smoke kernels-check \
	cmd install install-dkms deb test-packages

all: build

build: module go

# The VM's kernel and initramfs, and the host packages the VM needs.
prepare: go-version
	@vm/prepare >/dev/null

# Go 1.21 or later fetches the toolchain go.mod asks for by itself.
go-version:
	@v=$$($(GO) env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p'); \
	if [ -z "$$v" ] || [ "$$v" -lt 21 ]; then \
		echo "make: Go 1.21 or later is needed on the PATH (found: $$($(GO) version 2>&1 | head -1)); see README.md" >&2; exit 1; \
	fi

# brcm.ko for KVER with W=1 -Werror and sparse: kernel/brcm.ko for the
# default kernel, kernel/out/KVER/brcm.ko for another. kbuild/ installs
# what the build needs; no VM is involved.
module:
	@kbuild/module $(KVER) >/dev/null

modules:
	@for k in $(KERNELS); do kbuild/module $$k >/dev/null || exit 1; done

go:
	$(GO) build ./...
	$(GO) vet ./...
	$(GO) vet -tags vmtest ./integration/...

# checkpatch.pl comes with the kernel source, not the headers.
$(KSRC)/scripts/checkpatch.pl:
	@. kbuild/kernels.sh && host_packages linux-source-6.1
	mkdir -p $(KSRC)
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C $(KSRC) --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

$(CACHE)/bin/staticcheck:
	GOBIN=$(CACHE)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: modules $(KSRC)/scripts/checkpatch.pl $(CACHE)/bin/staticcheck
	perl $(KSRC)/scripts/checkpatch.pl --strict --no-tree --quiet --show-types \
		-f $$(git ls-files 'kernel/*.c' 'kernel/*.h' | grep -v '^kernel/compat.h$$')
	@# A compat header compares kernel versions: that is all it may skip.
	perl $(KSRC)/scripts/checkpatch.pl --strict --no-tree --quiet --show-types \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kernel/compat.h
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(CACHE)/bin/staticcheck ./...
	$(CACHE)/bin/staticcheck -tags vmtest ./integration/...
	@# The family's spec against the kernel's schema (TestSpec checks it
	@# against the header, the Go constants and the policies).
	ynl/validate kernel/brcm.yaml $$(ynl/prepare)

# Go unit tests on the host; the switch model's tests need root for netns
# and iproute2 and ethtool, the completion tests the shells they complete.
unit: go-version
	@. kbuild/kernels.sh && host_packages iproute2 ethtool zsh fish
	$(GO) test -race -count=1 ./...

# Integration tests: built here, run as root inside the VM, on every
# kernel of kbuild/kernels.
integration:
	integration/run

# One test, or those a regular expression matches, on one kernel (all
# without KERNEL): make test-vm RUN=TestGSO KERNEL=6.12.117+deb13-amd64
test-vm:
	integration/run $(if $(value RUN),-run '$(value RUN)') $(KERNEL)

test: build lint unit demo integration

vm-shell: module
	vm/run -k $(KVER) --shell

clean:
	$(MAKE) -C kernel KDIR=/usr/src/linux-headers-$(firstword $(KERNELS)) clean
	rm -rf kernel/out $(CACHE)/bin

# Says which kernels of kbuild/kernels Debian has moved past.
kernels-check:
	kbuild/check

# The main job: a narrated provisioning run in the VM.
demo: module cmd
	$(GO) build -o $(CACHE)/bin/brcm-demo ./cmd/brcm-demo
	vm/run -- $(CACHE)/bin/brcm-demo -brcm.ko=$(CURDIR)/kernel/brcm.ko \
		-brcmlink=$(CACHE)/bin/brcmlink

# Benchmarks: brcm against the kernel's VLAN devices and iproute2, in one
# boot of the VM, and the Go packages on the host. bench writes
# bench/results.json, bench/ratios.png and docs/performance.md's tables;
# bench-smoke runs tiny counts into $(CACHE)/bench-smoke. Neither fails
# on a missed target: they print PASS or MISS.
bench: module
	bench/run full

bench-smoke: module
	bench/run smoke

# The suite on a debug kernel (KASAN, lockdep, kmemleak, refcount
# trackers), with the fuzzers turned up; see integration/debug/.
test-debug: prepare
	integration/debug/run $(if $(value RUN),-run '$(value RUN)')

# Installing without packages, and the packages. kernel/VERSION is the
# one version: of the module, the command and the packages.
VERSION := $(shell cat kernel/VERSION)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
ZSHCOMPDIR ?= $(DATADIR)/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= /lib/systemd/system
UDEVRULESDIR ?= /lib/udev/rules.d
GOBUILDFLAGS ?= -trimpath -buildmode=pie
DOCS := README.md docs/cli.md docs/config.md docs/netlink.md docs/packaging.md

# The command alone, into $(CACHE)/bin: what installs, and what the
# tests, the demo and the benchmarks run.
cmd:
	$(GO) build $(GOBUILDFLAGS) -o $(CACHE)/bin/brcmlink ./cmd/brcmlink

# The command, its man page, completions, docs, the family's YNL spec,
# systemd units, udev rule and an example description that creates nothing (kept if present).
install: cmd
	install -D -m755 $(CACHE)/bin/brcmlink $(DESTDIR)$(SBINDIR)/brcmlink
	install -D -m644 docs/brcmlink.8 $(DESTDIR)$(DATADIR)/man/man8/brcmlink.8
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d $(DESTDIR)$(DATADIR)/doc/brcmlink
	$(CACHE)/bin/brcmlink completion bash >$(DESTDIR)$(DATADIR)/bash-completion/completions/brcmlink
	$(CACHE)/bin/brcmlink completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_brcmlink
	$(CACHE)/bin/brcmlink completion fish >$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/brcmlink.fish
	install -m644 $(DOCS) $(DESTDIR)$(DATADIR)/doc/brcmlink/
	install -D -m644 kernel/brcm.yaml $(DESTDIR)$(DATADIR)/ynl/specs/brcm.yaml
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSCONFDIR)/brcmlink
	for u in brcmlink.service brcmlink-lower@.service; do \
		sed 's|/usr/sbin/|$(SBINDIR)/|' packaging/$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; done
	install -m644 packaging/90-brcmlink.rules $(DESTDIR)$(UDEVRULESDIR)/
	test -e $(DESTDIR)$(SYSCONFDIR)/brcmlink/example.conf || \
		install -m644 packaging/example.conf $(DESTDIR)$(SYSCONFDIR)/brcmlink/example.conf

# The module's source where DKMS looks for it: then
# `dkms install brcm/$(VERSION)` builds it for a kernel.
install-dkms:
	install -d $(DESTDIR)/usr/src/brcm-$(VERSION)/include/uapi/linux
	install -m644 kernel/Makefile kernel/VERSION kernel/*.c kernel/*.h $(DESTDIR)/usr/src/brcm-$(VERSION)/
	install -m644 kernel/include/uapi/linux/brcm.h $(DESTDIR)/usr/src/brcm-$(VERSION)/include/uapi/linux/
	sed 's/#MODULE_VERSION#/$(VERSION)/' kernel/dkms.conf >$(DESTDIR)/usr/src/brcm-$(VERSION)/dkms.conf

# brcm-dkms_VERSION_all.deb and brcmlink_VERSION_amd64.deb in $(CACHE)/deb,
# built by dpkg-buildpackage from a copy of the committed tree.
deb:
	packaging/deb $(CACHE)/deb

# The packages installed, booted with systemd and purged on Debian 12 and
# 13 in the VM: see integration/packages/run.
test-packages: go-version
	integration/packages/run
