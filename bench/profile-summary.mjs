#!/usr/bin/env node
// Where a realtime node's CPU goes: summarize a V8 .cpuprofile (written by
// `BENCH_CPU_PROF=1 npm run bench` into bench/results/profiles/) by package
// and by function, self time only, idle excluded.
//   node bench/profile-summary.mjs bench/results/profiles/<file>.cpuprofile [topN]
import { readFileSync } from "node:fs";

const file = process.argv[2];
const topN = Number(process.argv[3] ?? 25);
if (!file) {
  console.error("usage: node bench/profile-summary.mjs <file.cpuprofile> [topN]");
  process.exit(1);
}
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

function category(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === "(garbage collector)") return "V8 garbage collector";
    if (functionName === "(program)") return "(program: native, not attributed)";
    if (functionName === "(idle)") return "(idle)";
    return `native: ${functionName || "(anonymous)"}`;
  }
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) {
    const mod = url
      .slice(5)
      .replace(/^internal\//, "")
      .split("/")[0];
    return `node core: ${mod}`;
  }
  if (url.includes("apps/realtime/dist/"))
    return "Relay code (apps/realtime bundle, @relay/* inlined)";
  return url;
}

// Attribute native and Node-core time to the nearest package (or Relay) frame
// above it: "who caused this CPU" (e.g. a socket write → ioredis).
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const isOwner = (cat) =>
  !cat.startsWith("native:") && !cat.startsWith("node core:") && !cat.startsWith("(");
function owner(id) {
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const node = byId.get(cur);
    if (!node) break;
    const cat = category(node.callFrame);
    if (cat === "(idle)" || cat === "V8 garbage collector" || cat.startsWith("(program"))
      return cat;
    if (isOwner(cat)) return cat;
  }
  return "Node core / native, no package above (event loop, timers, I/O callbacks)";
}
const owners = new Map();
for (const [id, us] of selfUs) {
  const o = owner(id);
  if (o === "(idle)") continue;
  owners.set(o, (owners.get(o) ?? 0) + us);
}

const cats = new Map();
const fns = new Map();
let busy = 0;
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const cat = category(node.callFrame);
  if (cat === "(idle)") continue;
  busy += us;
  cats.set(cat, (cats.get(cat) ?? 0) + us);
  const f = node.callFrame;
  const where = f.url
    ? `${f.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/apps\//, "apps/")}:${f.lineNumber + 1}`
    : "";
  const key = `${f.functionName || "(anonymous)"} ${where}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}

const wallUs = profile.endTime - profile.startTime;
const pct = (us) => `${((us / busy) * 100).toFixed(1)}%`;
console.log(
  `profile: ${(wallUs / 1e6).toFixed(1)} s wall, ${(busy / 1e6).toFixed(1)} s on CPU (${((busy / wallUs) * 100).toFixed(0)}% of one core)\n`,
);
console.log("| where (self time) | share of CPU |\n| --- | --- |");
for (const [k, v] of [...cats].sort((a, b) => b[1] - a[1]).slice(0, topN))
  console.log(`| ${k} | ${pct(v)} |`);
console.log(
  "\n| caller (native and Node-core time charged to the nearest package above it) | share of CPU |\n| --- | --- |",
);
for (const [k, v] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, topN))
  console.log(`| ${k} | ${pct(v)} |`);
console.log("\n| function | share of CPU |\n| --- | --- |");
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, topN))
  console.log(`| \`${k}\` | ${pct(v)} |`);
