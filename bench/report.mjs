// Markdown for docs/benchmarks.md from a messaging result (bench/results/*.json).
// scripts/bench.mjs replaces the text between the section's markers with it
// (bench/results.ts), so the hand-written reading around the tables stays.
import { runLabel } from "./results.ts";

/** The messaging section of docs/benchmarks.md (bench/results.ts). */
export const MESSAGING_SECTION = { name: "messaging", by: "npm run bench" };

const fmt = (v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (v >= 100) return String(Math.round(v));
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
};
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : "–");
const pct = (v) => `${(v * 100).toFixed(v === 0 ? 0 : 2)}%`;
const row = (cells) => `| ${cells.join(" | ")} |`;
const table = (head, rows, align) =>
  [row(head), row(align ?? head.map(() => "---")), ...rows.map(row)].join("\n");

function byRate(target) {
  return new Map((target?.steps ?? []).map((s) => [s.rate, s]));
}

function errorsCell(step) {
  if (!step) return "–";
  const codes = Object.entries(step.errors)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${c} ${n}`);
  return codes.length ? `${pct(step.errorRate)} (${codes.join(", ")})` : "0";
}

const mark = (step) => {
  if (!step) return "–";
  const other = step.cpu?.processesPct?.other ?? 0;
  const notes = [];
  if (step.retriedAfter)
    notes.push(
      `re-run: 1st attempt ${step.retriedAfter.verdict}, other load ${step.retriedAfter.otherCpuPct}% of a core`,
    );
  if (other > 25) notes.push(`⚠ other load ${other}% of a core`);
  const v = step.pass ? "✓" : `✗ ${step.verdict}`;
  return notes.length ? `${v} (${notes.join("; ")})` : v;
};

function sustained(target, steps) {
  if (!target) return "–";
  if (target.maxSustainedRate === null) return `< ${steps[0]} msg/s`;
  const top = target.steps.at(-1);
  const ranOut = top && top.pass && top.rate === target.maxSustainedRate;
  const skippedAbove = target.skipped.some((r) => r > target.maxSustainedRate);
  if (ranOut && !skippedAbove && target.maxSustainedRate === Math.max(...steps))
    return `≥ ${target.maxSustainedRate} msg/s (highest step)`;
  if (ranOut && skippedAbove) return `≥ ${target.maxSustainedRate} msg/s (time budget hit)`;
  return `${target.maxSustainedRate} msg/s`;
}

export function renderMarkdown(r) {
  const t = Object.fromEntries(r.targets.map((x) => [x.id, x]));
  const steps = r.settings.steps;
  const base = byRate(t.baseline);
  const same = byRate(t["relay-same"]);
  const cross = byRate(t["relay-cross"]);
  const rates = steps.filter((s) => base.has(s) || same.has(s) || cross.has(s));
  const m = r.machine;
  const out = [];

  out.push(
    `${runLabel(r)}, ${r.durationS} s in total. Raw data: \`bench/results/${r.file}\`.`,
    "",
    table(
      ["machine", "value"],
      [
        ["CPU", `${m.cpuModel} × ${m.cpus} (${m.cpuMHz} MHz)`],
        ["memory", `${m.totalMemGiB} GiB`],
        ["OS", `${m.os} ${m.arch}`],
        ["Node", r.node],
        ["socket.io / socket.io-client", `${r.socketIo} / ${r.socketIoClient}`],
        [
          "stores",
          "Postgres, Redis, Cassandra 5 (1 node, SimpleStrategy RF 1, LOCAL_QUORUM) — all on this machine",
        ],
      ],
    ),
    "",
    `Settings: rate steps ${steps.join(", ")} msg/s; per step ${r.settings.warmupS} s warm-up (not recorded) + ` +
      `${r.settings.measureS} s recorded; ${r.settings.pairs} DM pairs (${r.settings.pairs * 2} users, ` +
      `sends round-robin over ${r.settings.pairs} senders → ≤ ${Math.max(...steps) / r.settings.pairs} msg/s per sender, ` +
      `limit 10/s); body ${r.settings.bodyChars} chars; a step passes when ack **and** delivery p99 < ` +
      `${r.settings.sloP99Ms} ms and errors ≤ ${r.settings.maxErrorRate * 100}%; stepping stops at the first failure.`,
    "",
    "#### Max sustained rate (p99 < 100 ms, errors ≤ 1%)",
    "",
    table(
      [
        "target",
        "max sustained rate",
        "÷ baseline's",
        "ack p50 / p99 at the lowest step (ms)",
        "÷ baseline's (p50 / p99)",
      ],
      r.targets.map((x) => {
        const s0 = x.steps[0];
        const b0 = t.baseline?.steps[0];
        const bMax = t.baseline?.maxSustainedRate;
        // The baseline's rate is a lower bound when it passed the highest step it ran.
        const bLower = t.baseline?.steps.at(-1)?.pass === true;
        const rateRatio =
          x.id === "baseline"
            ? "1"
            : x.maxSustainedRate && bMax
              ? `${bLower ? "≤ " : ""}${(x.maxSustainedRate / bMax).toFixed(2)}`
              : "–";
        return [
          `${x.id} — ${x.description}`,
          sustained(x, steps),
          rateRatio,
          s0 ? `${fmt(s0.ack.p50)} / ${fmt(s0.ack.p99)}` : "–",
          x.id === "baseline"
            ? "1×"
            : `${ratio(s0?.ack.p50, b0?.ack.p50)} / ${ratio(s0?.ack.p99, b0?.ack.p99)}`,
        ];
      }),
    ),
    "",
  );

  const latencyTable = (title, kind, relayMap) => {
    out.push(
      `#### ${title}`,
      "",
      table(
        [
          "rate (msg/s)",
          "baseline p50",
          "p99",
          "p99.9",
          "Relay p50",
          "p99",
          "p99.9",
          "max",
          "Relay ÷ baseline p50",
          "p99",
          "Relay errors",
          "Relay step",
        ],
        rates.map((rate) => {
          const b = base.get(rate);
          const s = relayMap.get(rate);
          return [
            String(rate),
            fmt(b?.[kind].p50),
            fmt(b?.[kind].p99),
            fmt(b?.[kind].p999),
            fmt(s?.[kind].p50),
            fmt(s?.[kind].p99),
            fmt(s?.[kind].p999),
            fmt(s?.[kind].max),
            ratio(s?.[kind].p50, b?.[kind].p50),
            ratio(s?.[kind].p99, b?.[kind].p99),
            errorsCell(s),
            mark(s),
          ];
        }),
      ),
      "",
    );
  };
  latencyTable("Scenario A — ack latency (scheduled send → ack), ms", "ack", same);
  latencyTable(
    "Scenario A — delivery latency (scheduled send → recipient's `message:new`), same node, ms",
    "delivery",
    same,
  );

  out.push(
    "#### Scenario B — delivery latency, cross-node vs same-node (ms)",
    "",
    table(
      [
        "rate (msg/s)",
        "same node p50",
        "p99",
        "p99.9",
        "cross node p50",
        "p99",
        "p99.9",
        "max",
        "cross ÷ same p50",
        "p99",
        "cross ÷ baseline p99",
        "cross errors",
        "cross step",
      ],
      rates
        .filter((rate) => same.has(rate) || cross.has(rate))
        .map((rate) => {
          const s = same.get(rate);
          const c = cross.get(rate);
          const b = base.get(rate);
          return [
            String(rate),
            fmt(s?.delivery.p50),
            fmt(s?.delivery.p99),
            fmt(s?.delivery.p999),
            fmt(c?.delivery.p50),
            fmt(c?.delivery.p99),
            fmt(c?.delivery.p999),
            fmt(c?.delivery.max),
            ratio(c?.delivery.p50, s?.delivery.p50),
            ratio(c?.delivery.p99, s?.delivery.p99),
            ratio(c?.delivery.p99, b?.delivery.p99),
            errorsCell(c),
            mark(c),
          ];
        }),
    ),
    "",
    "Cross-node ack latency (the sender's node does the same work either way): " +
      rates
        .filter((rate) => cross.has(rate))
        .map(
          (rate) =>
            `${rate}/s p50 ${fmt(cross.get(rate).ack.p50)} / p99 ${fmt(cross.get(rate).ack.p99)} ms`,
        )
        .join("; ") +
      ".",
    "",
  );

  if (r.anatomy?.length) {
    const onPath = r.anatomy.filter((a) => a.onAckPath);
    const sum50 = onPath.reduce((a, b) => a + b.latency.p50, 0);
    out.push(
      "#### The send path's store operations, each alone (closed loop, 300 calls, unloaded), ms",
      "",
      table(
        ["operation", "what it is", "ack waits for it", "p50", "p99"],
        r.anatomy.map((a) => [
          a.op,
          a.role,
          a.onAckPath ? "yes" : "no",
          fmt(a.latency.p50),
          fmt(a.latency.p99),
        ]),
      ),
      "",
      `Sum of the p50s the ack waits for (serially): **${fmt(sum50)} ms**.`,
      "",
    );
  }

  const cpuKeys = [
    "relay-1",
    "relay-2",
    "baseline",
    "cassandra (java)",
    "redis",
    "postgres",
    "load generator",
    "kernel irq",
    "other",
  ];
  out.push(
    "#### CPU during each step (percent of one core; machine = share of all cores)",
    "",
    (r.backgroundCpu
      ? `Before the load, with the servers idle, the machine was ${r.backgroundCpu.machineBusyPct}% busy ` +
        `(of ${r.backgroundCpu.cores} cores). `
      : "") +
      '"other" = busy time of the machine not accounted to the processes listed, i.e. other work ' +
      `on the box; a failed step with other > ${r.settings.noiseOtherCpuPct}% of a core is re-run once per target.`,
    "",
    table(
      ["target", "rate", "machine", ...cpuKeys, "server CPU ms / msg", "generator CPU ms / msg"],
      r.targets.flatMap((x) =>
        x.steps.map((s) => [
          x.id,
          String(s.rate),
          `${s.cpu.machineBusyPct}%`,
          ...cpuKeys.map((k) =>
            s.cpu.processesPct[k] === undefined ? "–" : `${s.cpu.processesPct[k]}`,
          ),
          fmt(cpuPerMessage(s, x.id === "baseline" ? ["baseline"] : relayKeys, r.backgroundCpu)),
          fmt(cpuPerMessage(s, ["load generator"], r.backgroundCpu)),
        ]),
      ),
    ),
    "",
    "CPU ms / msg = (CPU % during the step − CPU % with the servers idle) × 10 / rate; server = " +
      "Relay's two nodes, Cassandra, Redis and Postgres (for the baseline: its one process). The " +
      "stores are shared with whatever else runs on the machine, so their share can include others' work.",
    "",
    "#### Inside Relay during each step (from the nodes' `/metrics`; warm-up included)",
    "",
    "Handler = Relay's `message:send` handler on the sender's node, receive → ack (p99 is the upper " +
      "bound of its Prometheus bucket). Loop lag = Node event-loop delay (prom-client, 10 ms resolution). " +
      "Send lag = how late the load generator itself sent, p99.",
    "",
    table(
      [
        "target",
        "rate",
        "handler calls",
        "handler mean (ms)",
        "handler p99 ≤ (ms)",
        "handler > 100 ms",
        "sender node loop lag p99 / max (ms)",
        "recipient node loop lag p99 / max (ms)",
        "send lag p99 (ms)",
      ],
      r.targets
        .filter((x) => x.id !== "baseline")
        .flatMap((x) =>
          x.steps.map((s) => [
            x.id,
            String(s.rate),
            String(s.server?.handlerCalls ?? "–"),
            fmt(s.server?.handlerMeanMs),
            fmt(s.server?.handlerP99AtMostMs),
            s.server ? `${s.server.handlerOver100msPct}%` : "–",
            s.server
              ? `${fmt(s.server.senderLoopLagP99Ms)} / ${fmt(s.server.senderLoopLagMaxMs)}`
              : "–",
            x.id === "relay-same"
              ? "(same node)"
              : `${fmt(s.server?.recipientLoopLagP99Ms)} / ${fmt(s.server?.recipientLoopLagMaxMs)}`,
            fmt(s.sendLag.p99),
          ]),
        ),
    ),
    "",
    "Baseline send lag p99 (ms): " +
      (t.baseline?.steps ?? []).map((s) => `${s.rate}/s ${fmt(s.sendLag.p99)}`).join(", ") +
      ".",
  );
  return out.join("\n");
}

const relayKeys = ["relay-1", "relay-2", "cassandra (java)", "redis", "postgres"];

/** CPU milliseconds per message spent by `keys` during a step, idle usage subtracted. */
function cpuPerMessage(step, keys, idle) {
  const sum = (p) => keys.reduce((a, k) => a + (p?.[k] ?? 0), 0);
  const busy =
    sum(step.cpu.processesPct) - (keys.includes("load generator") ? 0 : sum(idle?.processesPct));
  return (Math.max(0, busy) * 10) / step.rate;
}
