# The two set-up commands. Each installs what is missing, then runs.
.PHONY: compat test deps build browser engines grid grid-stop clean

NODE_MODULES_STAMP := node_modules/.package-lock.json

# Every installed engine (Chromium, Firefox ESR, WebKitGTK, and WebKitGTK with Background Fetch on).
compat: deps build browser
	./scripts/compat.sh bgprobe-report

# Firefox ESR and WebKitGTK from Debian's packages (apt-get when root; otherwise the command to run).
engines:
	./scripts/ensure-engines.sh

# A local Selenium Grid for `bgprobe compat|audit|wpt --grid http://127.0.0.1:4444`: a hub and two
# Chromium nodes on 127.0.0.1 (scripts/grid.sh start|stop|status; docs/grid.md). `make grid-stop` ends it.
grid: deps
	./scripts/ensure-grid.sh
	./scripts/grid.sh start

grid-stop:
	./scripts/grid.sh stop

# The engine and Grid tests run where Firefox ESR, WebKitGTK, Java and chromedriver can be
# installed (CI, as root) and skip with the reason elsewhere.
test: deps build browser
	./scripts/ensure-engines.sh --optional
	./scripts/ensure-grid.sh --optional
	node scripts/run-tests.mjs

deps: $(NODE_MODULES_STAMP)

$(NODE_MODULES_STAMP): package-lock.json
	npm ci --no-audit --no-fund

build: deps
	node scripts/build-injected.mjs
	npx tsc -p tsconfig.build.json
	node scripts/gen-schema.mjs
	chmod +x dist/cli/main.js

browser:
	./scripts/ensure-browser.sh

clean:
	rm -rf dist bgprobe-report test-results playwright-report
