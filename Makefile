# Thin wrapper around CMake. `make run` and `make test` are the README's two commands.
BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
SCENARIO   ?= scenarios/default.yaml
OUT        ?= results/default.h5
# Debian's python3, whatever python3 comes first on PATH: the analysis needs its h5py, numpy,
# pandas and matplotlib.
PYTHON     := /usr/bin/python3

.PHONY: all deps build build-san build-fuzz fuzz python run test test-fast bench clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

$(BUILD_SAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DMETERSIM_SANITIZE=ON

# The libFuzzer targets (tests/fuzz) need clang; this tree builds only them.
$(BUILD_FUZZ)/CMakeCache.txt:
	CC=clang CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DMETERSIM_FUZZ=ON \
	  -DMETERSIM_TESTS=OFF

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-san: deps $(BUILD_SAN)/CMakeCache.txt
	cmake --build $(BUILD_SAN) -j $(JOBS)

build-fuzz: deps $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_targets

# Each fuzz target for a bounded number of inputs under ASan+UBSan, its regression inputs
# first (tests/fuzz/run_fuzz.sh; README, "Fuzzing").
fuzz: build-fuzz
	cd $(BUILD_FUZZ) && ctest --output-on-failure -j $(JOBS)

# Puts analysis/ on Debian python3's path (a metersim.pth in its user site directory), so
# `/usr/bin/python3 -c "import metersim"` works anywhere; the last tree to run it wins.
python:
	@site=$$($(PYTHON) -c 'import site; print(site.getusersitepackages())') && \
	  mkdir -p "$$site" && echo "$(CURDIR)/analysis" > "$$site/metersim.pth" && \
	  $(PYTHON) -c 'import metersim' && \
	  echo "python: $(PYTHON) imports metersim from $(CURDIR)/analysis ($$site/metersim.pth)"

# Builds only what it runs: the simulator and the firmware images it loads (the target
# metersim depends on them), not the tests.
run: deps $(BUILD)/CMakeCache.txt python
	cmake --build $(BUILD) -j $(JOBS) --target metersim
	@mkdir -p $(dir $(OUT))
	$(BUILD)/sim/metersim run $(SCENARIO) -o $(OUT) --force
	@echo "next: $(BUILD)/sim/metersim report $(OUT) -o $(basename $(OUT))-report"
	@echo "      $(PYTHON) -c 'import metersim; t = metersim.open(\"$(OUT)\"); print(t.households)'"
	@echo "      make test    (the whole suite, optimised and under ASan+UBSan, then the fuzz runs)"

# The whole suite, once on the optimised build and once under ASan+UBSan, then the bounded
# fuzz runs.
test: build build-san
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_SAN) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) fuzz

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	./bench/run

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
