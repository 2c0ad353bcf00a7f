// ESLint (flat config): the recommended JS and typescript-eslint rules over the TypeScript sources. Formatting is
// prettier's job (npm run format:check), so no stylistic rules here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "dist-*/", "node_modules/", "test/fixtures/", "bench/out/", "worker/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { process: "readonly", console: "readonly" } },
    rules: {
      // `catch {}` and `() => {}` are used on purpose (best-effort cleanup); empty blocks elsewhere are still errors.
      "no-empty": ["error", { allowEmptyCatch: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
);
