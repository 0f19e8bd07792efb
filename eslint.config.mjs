// ESLint looks for its config from each package up to here: the shared one.
export { default } from "./tooling/eslint.config.mjs";
