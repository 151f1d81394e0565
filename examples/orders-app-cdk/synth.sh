#!/bin/sh
# Regenerate cdk.out from app.js (offline: no AWS account or credentials are used).
# Needs node >= 18 and `npm install` here (aws-cdk-lib, constructs, aws-cdk as pinned in package.json).
set -eu
cd "$(dirname "$0")"
rm -rf cdk.out
CDK_DISABLE_STACK_TRACE=1 npx cdk synth --no-notices --quiet >/dev/null
# run-specific reports the CLI writes beside the assembly; not part of it
rm -f cdk.out/performance-counters.json cdk.out/validation-report.json
# construction stack traces name this machine's absolute paths: dropped, so the committed assembly is portable
node -e '
const fs = require("fs"); const f = "cdk.out/OrdersStack.metadata.json";
const m = JSON.parse(fs.readFileSync(f, "utf8"));
for (const k of Object.keys(m)) { m[k] = m[k].filter((e) => e.type !== "aws:cdk:creationStack"); if (!m[k].length) delete m[k]; }
fs.writeFileSync(f, JSON.stringify(m, null, 2) + "\n");'
