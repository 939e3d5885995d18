# Thin wrapper around CMake. `make run` and `make test` are the README's two commands.
BUILD      ?= build
BUILD_SAN  ?= build-san
JOBS       ?= $(shell nproc)
SCENARIO   ?= scenarios/default.yaml
OUT        ?= results/default.h5

.PHONY: all deps build build-san run test test-fast bench clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(BUILD_SAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DMETERSIM_SANITIZE=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-san: deps $(BUILD_SAN)/CMakeCache.txt
	cmake --build $(BUILD_SAN) -j $(JOBS)

run: build
	@mkdir -p $(dir $(OUT))
	$(BUILD)/sim/metersim run $(SCENARIO) -o $(OUT) --force

# The whole suite, once on the optimised build and once under ASan+UBSan.
test: build build-san
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_SAN) && ctest --output-on-failure -j $(JOBS)

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	./bench/run

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
