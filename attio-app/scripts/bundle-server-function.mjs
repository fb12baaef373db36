/**
 * Bundles a file that imports the app's server functions the way Attio runs them (one ESM bundle, `fetch` from the
 * runtime) with `attio` and `attio/server` replaced by the fakes in test/fake-attio/. Used by this app's tests and
 * by the service's end-to-end test (test/integration/attio-app.test.ts in the repository root).
 */
import {fileURLToPath} from "node:url"

import {build} from "esbuild"

const fake = (name) => fileURLToPath(new URL(`../test/fake-attio/${name}.ts`, import.meta.url))

export async function bundleWithFakeAttio(entryPoints, outdir) {
    await build({
        entryPoints,
        outdir,
        bundle: true,
        format: "esm",
        platform: "node",
        target: "node20",
        outExtension: {".js": ".mjs"},
        alias: {attio: fake("root"), "attio/server": fake("server")},
        logLevel: "warning",
    })
}
