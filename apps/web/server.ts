// Production entry point (`npm start` in this app): env check, then the front
// server (@relay/edge/server) with Next.js inside it.
import { runNextApp } from "@relay/edge/server";
import { loadEnv } from "./src/env";

await runNextApp("web", loadEnv, import.meta.dirname.replace(/\/dist$/, ""));
