SHELL := /bin/bash
MVN ?= mvn -B -ntp -q
.DEFAULT_GOAL := help

.PHONY: help test consul toolchain build demo crds bench bench-sync

help:
	@echo "make demo        run the whole hotel system locally"
	@echo "make test        run the full test suite (installs what it needs)"
	@echo "make consul      put a real consul binary in .tools/bin"
	@echo "make crds        regenerate crds/ from the CRD model"
	@echo "make bench       run every benchmark (BENCH lines, JSON under target/bench/)"

toolchain:
	@bash scripts/apt-ensure.sh java:openjdk-17-jdk-headless mvn:maven

consul:
	@bash scripts/install-consul.sh

build: toolchain
	$(MVN) install -DskipTests

test: toolchain consul
	$(MVN) install

crds: toolchain
	$(MVN) -pl operator -am install -DskipTests
	rm -f crds/*.yml
	cp operator/target/classes/META-INF/fabric8/*-v1.yml crds/

demo:
	@echo "make demo: not available yet (the local cluster lands with the demo issue)." >&2
	@exit 2

bench: bench-sync

bench-sync: toolchain consul
	$(MVN) -pl bench/sync -am install -DskipTests
	cd bench/sync && $(MVN) exec:java
