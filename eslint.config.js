// ESLint (flat config): the recommended JS and typescript-eslint rules over the TypeScript sources. Formatting is
// prettier's job (npm run format:check), so no stylistic rules here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeGlobals = Object.fromEntries(["process", "console", "module", "require", "URL", "__dirname"].map((g) => [g, "readonly"]));

export default tseslint.config(
  { ignores: ["dist/", "dist-*/", "node_modules/", "test/fixtures/", "bench/out/", "worker/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: nodeGlobals },
    rules: {
      // `catch {}` is used on purpose (best-effort cleanup); other empty blocks are still errors.
      "no-empty": ["error", { allowEmptyCatch: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs" } },
  {
    // The raw pipeline data (YAML as parsed, --set values) is walked here before and while the JSON Schema
    // (schema/pipeline.schema.json, checked by schema-check.ts) vouches for its shape; typing each walk would restate it.
    files: ["engine/spec/**/*.ts", "engine/dag/matrix.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Tests read JSON that the CLI, the worker and chromium print: its shape is what the assertions check.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
