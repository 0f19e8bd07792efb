// One lint configuration for every workspace (the root eslint.config.mjs
// re-exports it, so ESLint finds it from any package).
// Beyond typescript-eslint's type-checked rules:
// - async socket handlers must not leak promises (floating/misused promises);
// - imports are ordered (import-x/order, auto-fixable) and never form a cycle;
// - no deep relative climbs (use a path alias or a package), and apps reach the
//   domain only through @relay/core, never the stores' packages directly.
import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const root = new URL("..", import.meta.url).pathname;

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.next/**",
      "**/src/generated/**",
      "**/next-env.d.ts",
      ".data/**",
      "test-results/**",
      "**/*.mjs",
      "**/*.cjs",
      "**/*.config.ts",
      "**/*.config.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    plugins: { "import-x": importX },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    settings: {
      "import-x/resolver-next": [
        createTypeScriptImportResolver({
          project: ["apps/*/tsconfig.json", "packages/*/tsconfig.json", "*/tsconfig.json"],
        }),
      ],
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "import-x/order": [
        "error",
        {
          groups: ["builtin", "external", "internal", ["parent", "sibling", "index"]],
          pathGroups: [
            { pattern: "@relay/**", group: "internal" },
            { pattern: "@/**", group: "internal", position: "after" },
          ],
          pathGroupsExcludedImportTypes: ["builtin"],
          distinctGroup: false,
          "newlines-between": "never",
          alphabetize: { order: "asc", caseInsensitive: true },
        },
      ],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-duplicates": "error",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../../../*"],
              message: "Climbing three or more folders: use the path alias (@/…) or a package.",
            },
          ],
        },
      ],
    },
  },
  {
    // Apps are transports: the domain and the stores come through @relay/core.
    files: ["apps/*/src/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@relay/db", message: "Apps reach Postgres only through @relay/core." },
            { name: "@relay/messages", message: "Apps reach Cassandra only through @relay/core." },
            {
              name: "@relay/messages/runtime",
              message: "Apps reach Cassandra only through @relay/core.",
            },
          ],
          patterns: [
            {
              group: ["../../../*"],
              message: "Climbing three or more folders: use the path alias (@/…) or a package.",
            },
          ],
        },
      ],
    },
  },
);
