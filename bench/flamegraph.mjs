#!/usr/bin/env node
// A flame graph (SVG, no scripts: hover a frame for its <title>) from a V8
// .cpuprofile, e.g. the one the messaging benchmark takes of Relay node 1:
//   node bench/flamegraph.mjs <file.cpuprofile> [out.svg]
// Width = CPU time (samples × their intervals) of a frame and everything it
// called; the root is at the bottom, callers below callees. Idle time is left
// out; (garbage collector) and (program) are their own frames. Colours by
// where the code lives: Relay's bundle, a package (node_modules), Node core,
// native/V8.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const WIDTH = 1200;
const ROW = 16;
const FONT = 11;
const CHAR_W = 6.4; // ~ width of one character at FONT px in a sans-serif face
const MIN_FRACTION = 0.0005; // frames narrower than this share of the total are not drawn

/** Where a frame's code lives: "relay", a package name, "node:<module>" or "native". */
export function frameOrigin(callFrame) {
  const url = callFrame.url ?? "";
  if (!url) return "native";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return m[1];
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/")[0];
  if (url.includes("apps/realtime/")) return "relay";
  return path.basename(url);
}

function label(callFrame) {
  const name = callFrame.functionName || "(anonymous)";
  const origin = frameOrigin(callFrame);
  if (origin === "native") return name;
  const file = path.basename(callFrame.url ?? "");
  return `${name} ${origin === "relay" ? `relay ${file}` : origin}:${(callFrame.lineNumber ?? 0) + 1}`;
}

/** The profile as a merged call tree with CPU microseconds per frame (idle excluded). */
export function callTree(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const rootNode = profile.nodes[0];
  const build = (node) => {
    const out = {
      name: node.callFrame.functionName === "(root)" ? "all" : label(node.callFrame),
      origin: node.callFrame.functionName === "(root)" ? "root" : frameOrigin(node.callFrame),
      self: node.callFrame.functionName === "(idle)" ? 0 : Math.max(0, selfUs.get(node.id) ?? 0),
      total: 0,
      children: [],
    };
    const merged = new Map();
    for (const cid of node.children ?? []) {
      const child = byId.get(cid);
      if (!child || child.callFrame.functionName === "(idle)") continue;
      const sub = build(child);
      const prev = merged.get(sub.name);
      if (prev) mergeInto(prev, sub);
      else merged.set(sub.name, sub);
    }
    out.children = [...merged.values()].sort((a, b) => b.total - a.total);
    out.total = out.self + out.children.reduce((a, c) => a + c.total, 0);
    return out;
  };
  return build(rootNode);
}

function mergeInto(a, b) {
  a.self += b.self;
  a.total += b.total;
  for (const c of b.children) {
    const same = a.children.find((x) => x.name === c.name);
    if (same) mergeInto(same, c);
    else a.children.push(c);
  }
}

function colour(origin, name) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const j = h % 40;
  if (origin === "root") return "rgb(200,200,200)";
  if (origin === "relay") return `rgb(${60 + j},${150 + j},${60 + j})`; // green: Relay's code
  if (origin === "native") return `rgb(${200 + (j % 30)},${90 + j},${70})`; // red: native / V8
  if (origin.startsWith("node:")) return `rgb(${200 + (j % 30)},${160 + j},${60})`; // yellow: Node core
  return `rgb(${70 + j},${130 + j},${200 + (j % 30)})`; // blue: packages
}

const esc = (s) =>
  s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

/** The SVG text of a flame graph of `profile`; `title` goes on top. */
export function renderFlameGraph(profile, title) {
  const tree = callTree(profile);
  const total = tree.total || 1;
  const rects = [];
  let depthMax = 0;
  const walk = (node, x, depth) => {
    if (node.total / total < MIN_FRACTION) return;
    depthMax = Math.max(depthMax, depth);
    rects.push({ node, x, depth });
    let cx = x;
    for (const c of node.children) {
      walk(c, cx, depth + 1);
      cx += c.total;
    }
  };
  walk(tree, 0, 0);
  const top = 40;
  const height = top + (depthMax + 1) * ROW + 30;
  const scale = (WIDTH - 20) / total;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Verdana, sans-serif" font-size="${FONT}">`,
    `<rect width="100%" height="100%" fill="#fdfdf6"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    `<text x="10" y="${height - 10}" fill="#555">CPU ${(total / 1e6).toFixed(2)} s sampled; width = CPU time of a frame and its callees; green Relay, blue packages, yellow Node core, red native/V8. Hover for details.</text>`,
  ];
  for (const { node, x, depth } of rects) {
    const w = node.total * scale;
    const px = 10 + x * scale;
    const py = height - 30 - (depth + 1) * ROW;
    const pct = ((node.total / total) * 100).toFixed(2);
    const selfPct = ((node.self / total) * 100).toFixed(2);
    const tip = `${node.name} — ${(node.total / 1000).toFixed(1)} ms, ${pct}% (self ${selfPct}%)`;
    out.push(
      `<g><title>${esc(tip)}</title><rect x="${px.toFixed(2)}" y="${py}" width="${Math.max(0.3, w - 0.5).toFixed(2)}" height="${ROW - 1}" fill="${colour(node.origin, node.name)}" rx="1"/>`,
    );
    const chars = Math.floor((w - 6) / CHAR_W);
    if (chars >= 3) {
      const text = node.name.length > chars ? `${node.name.slice(0, chars - 1)}…` : node.name;
      out.push(`<text x="${(px + 3).toFixed(2)}" y="${py + ROW - 4}">${esc(text)}</text>`);
    }
    out.push("</g>");
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node bench/flamegraph.mjs <file.cpuprofile> [out.svg]");
    process.exit(1);
  }
  const outFile = process.argv[3] ?? file.replace(/\.cpuprofile$/, "") + ".svg";
  const profile = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(outFile, renderFlameGraph(profile, path.basename(file)));
  console.log(outFile);
}
