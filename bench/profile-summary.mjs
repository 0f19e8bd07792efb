#!/usr/bin/env node
// Where a realtime node's CPU goes: summarize a V8 .cpuprofile (the messaging
// benchmark's profile step writes bench/results/profile-relay-1-<time>.cpuprofile;
// `BENCH_CPU_PROF=1 npm run bench` a whole-life one into bench/results/profiles/)
// by package and by function, self time only, idle excluded.
//   node bench/profile-summary.mjs <file>.cpuprofile [topN]
// or import { summarizeProfile } (markdown) and { profileShares } (data).
import { readFileSync } from "node:fs";

/** Self time by category, by owning package (native time charged to the caller) and by function. */
export function profileShares(profile) {
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
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    wallUs,
    busyUs: busy,
    categories: sorted(cats),
    owners: sorted(owners),
    functions: sorted(fns),
  };
}

/** Markdown tables of where the CPU went (top `topN` rows each). */
export function summarizeProfile(profile, topN = 25) {
  const { wallUs, busyUs, categories, owners, functions } = profileShares(profile);
  const pct = (us) => `${((us / busyUs) * 100).toFixed(1)}%`;
  const lines = [
    `profile: ${(wallUs / 1e6).toFixed(1)} s wall, ${(busyUs / 1e6).toFixed(1)} s on CPU (${((busyUs / wallUs) * 100).toFixed(0)}% of one core)`,
    "",
    "| where (self time) | share of CPU |\n| --- | --- |",
    ...categories.slice(0, topN).map(([k, v]) => `| ${k} | ${pct(v)} |`),
    "",
    "| caller (native and Node-core time charged to the nearest package above it) | share of CPU |\n| --- | --- |",
    ...owners.slice(0, topN).map(([k, v]) => `| ${k} | ${pct(v)} |`),
    "",
    "| function | share of CPU |\n| --- | --- |",
    ...functions.slice(0, topN).map(([k, v]) => `| \`${k}\` | ${pct(v)} |`),
  ];
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  const topN = Number(process.argv[3] ?? 25);
  if (!file) {
    console.error("usage: node bench/profile-summary.mjs <file.cpuprofile> [topN]");
    process.exit(1);
  }
  console.log(summarizeProfile(JSON.parse(readFileSync(file, "utf8")), topN));
}
