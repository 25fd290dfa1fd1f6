# The two set-up commands. Each installs what is missing, then runs.
.PHONY: compat test deps build browser clean

NODE_MODULES_STAMP := node_modules/.package-lock.json

compat: deps build browser
	node dist/cli/main.js compat --out bgprobe-report

test: deps build browser
	node scripts/run-tests.mjs

deps: $(NODE_MODULES_STAMP)

$(NODE_MODULES_STAMP): package-lock.json
	npm ci --no-audit --no-fund

build: deps
	npx tsc -p tsconfig.build.json
	chmod +x dist/cli/main.js

browser:
	./scripts/ensure-browser.sh

clean:
	rm -rf dist bgprobe-report test-results playwright-report
