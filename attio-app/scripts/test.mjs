/**
 * The server-function tests: bundle test/*.test.ts with the fake Attio modules, then run them with node's test
 * runner. The SDK ships no test harness; this is the smallest one that runs the code Attio would run.
 */
import {spawnSync} from "node:child_process"
import {readdirSync, rmSync} from "node:fs"

import {bundleWithFakeAttio} from "./bundle-server-function.mjs"

const outdir = ".test-build"
rmSync(outdir, {recursive: true, force: true})
const tests = readdirSync("test").filter((name) => name.endsWith(".test.ts"))
await bundleWithFakeAttio(
    tests.map((name) => `test/${name}`),
    outdir
)
const run = spawnSync(
    process.execPath,
    ["--test", ...tests.map((name) => `${outdir}/${name.replace(/\.ts$/, ".mjs")}`)],
    {stdio: "inherit"}
)
process.exit(run.status ?? 1)
