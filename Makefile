# brcmlink: the brcm kernel module, its Go packages, and the VM that
# proves them. `make test` is the one command CI runs.

SHELL := /bin/bash
CACHE ?= $(CURDIR)/.cache
export BRCM_CACHE := $(CACHE)
GO ?= go
STATICCHECK_VERSION := v0.8.2

# The stock Debian kernel the module targets; integration/vm/prepare
# finds it and installs its headers.
ABI = $(shell cat $(CACHE)/abi)
KDIR ?= /usr/src/linux-headers-$(ABI)
KSRC := $(CACHE)/linux-source

.PHONY: all build prepare module go lint unit integration test test-debug vm-shell clean demo bench bench-smoke

all: build

build: module go

prepare:
	@integration/vm/prepare >/dev/null

module: prepare
	$(MAKE) -C kernel KDIR=$(KDIR) W=1 KCFLAGS=-Werror

go:
	$(GO) build ./...
	$(GO) vet ./...
	$(GO) vet -tags vmtest ./integration/...

# checkpatch.pl comes with the kernel source, not the headers.
$(KSRC)/scripts/checkpatch.pl:
	@dpkg-query -W -f='$${Status}' linux-source-6.1 2>/dev/null | grep -q "ok installed" || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-source-6.1 >/dev/null
	mkdir -p $(KSRC)
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C $(KSRC) --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

$(CACHE)/bin/staticcheck:
	GOBIN=$(CACHE)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: prepare $(KSRC)/scripts/checkpatch.pl $(CACHE)/bin/staticcheck
	$(MAKE) -C kernel KDIR=$(KDIR) W=1 KCFLAGS=-Werror C=2 CHECK="sparse -Wno-decl" 2>&1 | \
		tee $(CACHE)/sparse.log; ! grep -E "(warning|error):" $(CACHE)/sparse.log
	perl $(KSRC)/scripts/checkpatch.pl --strict --no-tree --quiet --show-types \
		-f $$(git ls-files 'kernel/*.c' 'kernel/*.h')
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(CACHE)/bin/staticcheck ./...
	$(CACHE)/bin/staticcheck -tags vmtest ./integration/...

# Go unit tests on the host; the switch model's tests need root for netns.
unit:
	$(GO) test -race -count=1 ./...

# Integration tests: built here, run as root inside the VM.
integration: module
	$(GO) test -c -tags vmtest -o $(CACHE)/bin/integration.test ./integration
	$(GO) build -o $(CACHE)/bin/brcmlink ./cmd/brcmlink
	integration/vm/run -- $(CACHE)/bin/integration.test -test.v -test.count=1 \
		-brcm.ko=$(CURDIR)/kernel/brcm.ko -brcmlink=$(CACHE)/bin/brcmlink | tee $(CACHE)/integration.log; \
	status=$${PIPESTATUS[0]}; \
	echo "integration: $$(grep -c '^--- PASS' $(CACHE)/integration.log) passed, $$(grep -c '^--- FAIL' $(CACHE)/integration.log) failed"; \
	exit $$status

test: build lint unit demo integration

vm-shell: module
	integration/vm/run --shell

clean:
	$(MAKE) -C kernel KDIR=$(KDIR) clean
	rm -rf $(CACHE)/bin

# The main job: a narrated provisioning run in the VM.
demo: module
	$(GO) build -o $(CACHE)/bin/brcm-demo ./integration/cmd/brcm-demo
	$(GO) build -o $(CACHE)/bin/brcmlink ./cmd/brcmlink
	integration/vm/run -- $(CACHE)/bin/brcm-demo -brcm.ko=$(CURDIR)/kernel/brcm.ko \
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
	integration/debug/run
