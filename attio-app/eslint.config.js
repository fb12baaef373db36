// The App SDK template's lint configuration (node_modules/attio/dist/template/eslint.config.js), trimmed to the
// rules that catch mistakes, with the SDK's own rules (attio/lint) for server files, forms and widgets.
import js from "@eslint/js"
import prettier from "eslint-config-prettier"
import react from "eslint-plugin-react"
import reactHooks from "eslint-plugin-react-hooks"
import tseslint from "typescript-eslint"
import attio from "attio/lint"

export default tseslint.config(
    {ignores: [".attio/", ".test-build/", "dist/", "lib/", "node_modules/"]},
    {
        files: ["src/**/*.{ts,tsx}", "test/**/*.ts"],
        extends: [
            js.configs.recommended,
            tseslint.configs.recommended,
            react.configs.flat.recommended,
            react.configs.flat["jsx-runtime"],
            reactHooks.configs.flat.recommended,
        ],
        plugins: {attio: {rules: attio.rules}},
        settings: {react: {version: "detect"}},
        rules: {
            "attio/attio-client-import": "error",
            "attio/form-submit-button": "error",
            "attio/server-default-export": "error",
            "attio/settings-page-components": "error",
            "attio/widget-text-children": "error",
            "@typescript-eslint/consistent-type-imports": "error",
            "@typescript-eslint/no-non-null-assertion": "error",
            eqeqeq: ["error", "always", {null: "ignore"}],
            "prefer-const": "error",
            "react/prop-types": "off",
            "react-hooks/exhaustive-deps": "error",
        },
    },
    prettier
)
