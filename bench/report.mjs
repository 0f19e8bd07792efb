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

const TARGET_ORDER = ["baseline", "baseline-cassandra", "relay-same", "relay-cross"];
const SHORT = {
  baseline: "no-store baseline",
  "baseline-cassandra": "socket+Cassandra baseline",
  "relay-same": "Relay same node",
  "relay-cross": "Relay cross node",
};

function sustained(target) {
  if (!target) return "–";
  const max = target.maxSustainedRate;
  if (max === null) return target.firstFailedRate ? `< ${target.firstFailedRate} msg/s` : "–";
  if (target.stoppedBy === "budget") return `≥ ${max} msg/s (time budget hit)`;
  if (target.stoppedBy === "max rate") return `≥ ${max} msg/s (highest rate tried)`;
  if (target.stoppedBy === "steps" && target.firstFailedRate === null)
    return `≥ ${max} msg/s (last step)`;
  return `${max} msg/s`;
}

/** "0.31" (or "≥ 0.31"/"≤ 0.31" when a side is only a bound). */
function rateRatio(a, b) {
  if (!a?.maxSustainedRate || !b?.maxSustainedRate) return "–";
  const lower = (t) => t.firstFailedRate === null; // only a lower bound
  const r = (a.maxSustainedRate / b.maxSustainedRate).toFixed(2);
  if (lower(a) && !lower(b)) return `≥ ${r}`;
  if (!lower(a) && lower(b)) return `≤ ${r}`;
  if (lower(a) && lower(b)) return `${r} (both bounds)`;
  return r;
}

const failedStep = (target) =>
  target?.firstFailedRate ? target.steps.find((s) => s.rate === target.firstFailedRate) : null;

/** µs of CPU per message of `pct` (% of one core) at `rate` msg/s. */
const usPerMsg = (pct, rate) => (pct * 1e4) / rate;

export function renderMarkdown(r) {
  const t = Object.fromEntries(r.targets.map((x) => [x.id, x]));
  const targets = TARGET_ORDER.map((id) => t[id]).filter(Boolean);
  const base = byRate(t.baseline);
  const durable = byRate(t["baseline-cassandra"]);
  const same = byRate(t["relay-same"]);
  const cross = byRate(t["relay-cross"]);
  const rates = [...new Set(r.targets.flatMap((x) => x.steps.map((s) => s.rate)))].sort(
    (a, b) => a - b,
  );
  const m = r.machine;
  const st = r.settings;
  const out = [];

  out.push(
    `${runLabel(r)}, ${r.durationS} s in total. Raw data: \`bench/results/${r.file}\`.`,
    "",
    table(
      ["machine", "value"],
      [
        [
          "CPU",
          `${m.cpuModel} × ${m.cpus} (${m.cpuMHz} MHz) — shared by the load generator and every server`,
        ],
        ["memory", `${m.totalMemGiB} GiB`],
        ["OS", `${m.os} ${m.arch}`],
        [
          "load average at the end (1 / 5 / 15 min)",
          r.load ? `${r.load.one} / ${r.load.five} / ${r.load.fifteen}` : "–",
        ],
        ["Node", r.node],
        [
          "socket.io / socket.io-client / cassandra-driver",
          `${r.socketIo} / ${r.socketIoClient} / ${r.cassandraDriver ?? "?"}`,
        ],
        [
          "stores",
          "Postgres, Redis, Cassandra 5 (1 node, SimpleStrategy RF 1, LOCAL_QUORUM) — all on this machine",
        ],
      ],
    ),
    "",
    st.ladder
      ? `Settings: rate ladder ${st.steps.join(", ")}, then doubling until a step fails, then ${st.refine.map((f) => `${f}×`).join(" and ")} the last passing rate (each below the failing one), stopping at the next failure; `
      : `Settings: fixed rate steps ${st.steps.join(", ")} msg/s, stopping at the first failure; `,
    `per step ${st.warmupS} s warm-up (not recorded) + ${st.measureS} s recorded (longer at low rates: at least ${st.minMeasuredMessages} recorded messages, so 15 s at 100 msg/s); ` +
      `${st.pairs} DM pairs (${st.pairs * 2} users, sends round-robin over ${st.pairs} senders; Relay's per-user limit is ${LIMITS_SEND}/s); body ${st.bodyChars} chars. ` +
      `**A step fails** when any of: ack p99 ≥ ${st.sloP99Ms} ms; delivery p99 ≥ ${st.sloP99Ms} ms; acked messages per second < ${st.minAchievedRatio * 100}% of the offered rate (recorded window up to its last ack); errors > ${st.maxErrorRate * 100}% (error acks, acks missing after the drain, acked but never delivered, never sent). ` +
      `Send lag p99 > ${st.generatorLagMs} ms in a failed step is noted as "generator behind schedule": the one load-generator process could not keep the schedule either (on 2 shared cores that is the machine's limit, not the target's alone).`,
    "",
    "#### Max sustained rate per target",
    "",
    table(
      [
        "target",
        "max sustained rate",
        "first failing step",
        "÷ socket+Cassandra",
        "÷ no-store baseline",
        "ack p50 / p99 at 100 msg/s (ms)",
        "delivery p50 / p99 at 100 msg/s (ms)",
      ],
      targets.map((x) => {
        const f = failedStep(x);
        const s100 = x.steps.find((s) => s.rate === 100);
        return [
          `${x.id} — ${x.description}`,
          sustained(x),
          f ? `${f.rate} msg/s: ${f.verdict}` : "–",
          x.id === "baseline-cassandra" ? "1" : rateRatio(x, t["baseline-cassandra"]),
          x.id === "baseline" ? "1" : rateRatio(x, t.baseline),
          s100 ? `${fmt(s100.ack.p50)} / ${fmt(s100.ack.p99)}` : "–",
          s100 ? `${fmt(s100.delivery.p50)} / ${fmt(s100.delivery.p99)}` : "–",
        ];
      }),
    ),
    "",
  );

  // Headline ratios.
  const a100 = (map) => map.get(100)?.ack;
  const headline = [];
  if (t["relay-same"] && t["baseline-cassandra"])
    headline.push(
      `Relay (same node) ÷ socket+Cassandra baseline, max sustained rate: **${rateRatio(t["relay-same"], t["baseline-cassandra"])}**`,
    );
  if (t["relay-cross"] && t["relay-same"])
    headline.push(
      `Relay cross-node ÷ same-node, max sustained rate: **${rateRatio(t["relay-cross"], t["relay-same"])}**`,
    );
  const rs = a100(same);
  for (const [id, map] of [
    ["baseline-cassandra", durable],
    ["baseline", base],
  ]) {
    const b = a100(map);
    if (rs && b)
      headline.push(
        `ack p99 at 100 msg/s, Relay (same node) vs ${SHORT[id]}: **${fmt(rs.p99)} vs ${fmt(b.p99)} ms (${signedMs(rs.p99 - b.p99)}, ${ratio(rs.p99, b.p99)})**; p50 ${fmt(rs.p50)} vs ${fmt(b.p50)} ms (${signedMs(rs.p50 - b.p50)})`,
      );
  }
  if (headline.length) out.push(...headline.map((h) => `- ${h}`), "");

  out.push(...cpuPerMessageSection(r, targets), "");
  out.push(...profileSection(r), "");
  const latencyTable = (title, kind, relayMap) => {
    out.push(
      `#### ${title}`,
      "",
      table(
        [
          "rate (msg/s)",
          "no-store p50",
          "p99",
          "socket+Cassandra p50",
          "p99",
          "p99.9",
          "Relay p50",
          "p99",
          "p99.9",
          "max",
          "Relay ÷ socket+Cassandra p50",
          "p99",
          "Relay errors",
          "Relay step",
          "socket+Cassandra step",
        ],
        rates.map((rate) => {
          const b = base.get(rate);
          const d = durable.get(rate);
          const s = relayMap.get(rate);
          return [
            String(rate),
            fmt(b?.[kind].p50),
            fmt(b?.[kind].p99),
            fmt(d?.[kind].p50),
            fmt(d?.[kind].p99),
            fmt(d?.[kind].p999),
            fmt(s?.[kind].p50),
            fmt(s?.[kind].p99),
            fmt(s?.[kind].p999),
            fmt(s?.[kind].max),
            ratio(s?.[kind].p50, d?.[kind].p50),
            ratio(s?.[kind].p99, d?.[kind].p99),
            errorsCell(s),
            mark(s),
            mark(d),
          ];
        }),
      ),
      "",
    );
  };
  latencyTable("Scenario A — ack latency (scheduled send → ack) by rate, ms", "ack", same);
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
        "cross ÷ socket+Cassandra p99",
        "cross errors",
        "cross step",
      ],
      rates
        .filter((rate) => same.has(rate) || cross.has(rate))
        .map((rate) => {
          const s = same.get(rate);
          const c = cross.get(rate);
          const b = durable.get(rate);
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
    "baseline-cassandra",
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
      ((r.settings.noiseRetriesPerTarget ?? 1) > 1
        ? `on the box; a step with other > ${r.settings.noiseOtherCpuPct}% of a core is re-run (at most ${r.settings.noiseRetriesPerTarget} per target; the tables show the re-run).`
        : `on the box; a failed step with other > ${r.settings.noiseOtherCpuPct}% of a core is re-run once per target.`),
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
          fmt(cpuPerMessage(s, serverKeys(x.id), r.backgroundCpu)),
          fmt(cpuPerMessage(s, ["load generator"], r.backgroundCpu)),
        ]),
      ),
    ),
    "",
    "CPU ms / msg = (CPU % during the step − CPU % with the servers idle) × 10 / rate; server = " +
      "Relay's two nodes, Cassandra, Redis and Postgres (no-store baseline: its one process; socket+Cassandra: its process and Cassandra). The " +
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
    ...["baseline", "baseline-cassandra"]
      .filter((id) => t[id])
      .map(
        (id) =>
          `${SHORT[id]} send lag p99 (ms): ` +
          t[id].steps.map((s) => `${s.rate}/s ${fmt(s.sendLag.p99)}`).join(", ") +
          ".",
      ),
  );
  return out.join("\n");
}

const LIMITS_SEND = 10;
const signedMs = (v) => `${v >= 0 ? "+" : "−"}${fmt(Math.abs(v))} ms`;
const relayKeys = ["relay-1", "relay-2", "cassandra (java)", "redis", "postgres"];
const serverKeys = (id) =>
  id === "baseline"
    ? ["baseline"]
    : id === "baseline-cassandra"
      ? ["baseline-cassandra", "cassandra (java)"]
      : relayKeys;

/** Per process: µs of CPU per message at the fixed rate (gross, and net of the idle machine). */
function cpuPerMessageSection(r, targets) {
  const rate = r.settings.profileRate ?? 300;
  const at = targets.map((x) => [x, x.steps.find((s) => s.rate === rate)]).filter(([, s]) => s);
  if (at.length === 0) return [];
  const idle = r.backgroundCpu?.processesPct ?? {};
  const groups = [
    "relay-1",
    "relay-2",
    "baseline",
    "baseline-cassandra",
    "cassandra (java)",
    "redis",
    "postgres",
    "load generator",
    "kernel irq",
  ];
  const cell = (s, g) => {
    const pct = s.cpu.processesPct[g];
    if (pct === undefined) return "–";
    const net = g === "load generator" ? pct : pct - (idle[g] ?? 0);
    return `${Math.round(usPerMsg(pct, rate))} / ${Math.round(usPerMsg(Math.max(0, net), rate))}`;
  };
  const total = (s, keys) => {
    let gross = 0;
    let net = 0;
    for (const g of keys) {
      const pct = s.cpu.processesPct[g] ?? 0;
      gross += pct;
      net += Math.max(0, g === "load generator" ? pct : pct - (idle[g] ?? 0));
    }
    return `**${Math.round(usPerMsg(gross, rate))} / ${Math.round(usPerMsg(net, rate))}**`;
  };
  return [
    `#### CPU per message at ${rate} msg/s (µs of CPU per message: gross / net of the idle machine)`,
    "",
    `From \`/proc\` over each target's recorded ${rate} msg/s step (warm-up and drain included in the window): CPU time of every process ÷ messages. "Net" subtracts what the process used with the servers idle before the load (Cassandra's JVM is never idle). Server total = the processes the target needs (Relay: both nodes, Cassandra, Redis, Postgres; socket+Cassandra: its process and Cassandra; no-store: its process); the generator is one process for every target.`,
    "",
    table(
      ["process", ...at.map(([x]) => SHORT[x.id] ?? x.id)],
      [
        ...groups.map((g) => [g, ...at.map(([, s]) => cell(s, g))]),
        ["**server total**", ...at.map(([x, s]) => total(s, serverKeys(x.id)))],
        [
          "**all processes (server + generator + irq)**",
          ...at.map(([x, s]) => total(s, [...serverKeys(x.id), "load generator", "kernel irq"])),
        ],
      ],
    ),
  ];
}

/** The profile step: where node 1's CPU went, and the files. */
function profileSection(r) {
  const p = r.targets.find((x) => x.id === "relay-same")?.profile;
  const f = r.profileFiles;
  if (!p || !f) return [];
  return [
    `#### Where Relay node 1's CPU goes at ${p.rate} msg/s (V8 profile, ${p.seconds} s)`,
    "",
    `One extra step after relay-same's ladder, ${p.rate} msg/s with node 1's sampling profiler on (${r.settings.profileIntervalUs} µs interval, ${r.settings.profileLeadMs ? `started through its inspector ${r.settings.profileLeadMs / 1000} s before the step (1 s warm-up + ${p.seconds - 1} s recorded) and that lead cut off the profile: starting the profiler stalls the process for a few hundred ms` : "started through its inspector after 1 s at the rate; starting the profiler stalls the process for a few hundred ms, which is in this profile and in the step's p99"}): ${f.busyS} s of CPU in ${f.wallS} s. Flame graph: [\`bench/results/${f.svg}\`](../bench/results/${f.svg}); tables: \`bench/results/${f.summary}\`; raw: \`bench/results/${f.cpuprofile}\` (open in Chrome DevTools or speedscope). Ack p50 / p99 during the profiled step: ${fmt(p.step.ack.p50)} / ${fmt(p.step.ack.p99)} ms.`,
    "",
    table(
      [
        "caller (native and Node-core time charged to the nearest package above it)",
        "share of node 1's CPU",
      ],
      f.owners.map(([k, v]) => [k, `${v}%`]),
    ),
    "",
    table(
      ["function (self time)", "share"],
      f.functions.map(([k, v]) => [`\`${k.replaceAll("|", "\\|")}\``, `${v}%`]),
    ),
  ];
}

/** CPU milliseconds per message spent by `keys` during a step, idle usage subtracted. */
function cpuPerMessage(step, keys, idle) {
  const sum = (p) => keys.reduce((a, k) => a + (p?.[k] ?? 0), 0);
  const busy =
    sum(step.cpu.processesPct) - (keys.includes("load generator") ? 0 : sum(idle?.processesPct));
  return (Math.max(0, busy) * 10) / step.rate;
}

// ------------------------------------------------ the scenario benchmarks (S1, S4, S6)
// Each script (bench/connections.ts, fanout.ts, reconnect.ts) writes its result
// and renders its section with these; `node scripts/bench.mjs --render <file>`
// re-renders any of them from a stored result.

const round1 = (v, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const kib = (b) => `${round1(b / 1024, 1)} KiB`;
const mib = (b) => `${round1(b / 2 ** 20, 0)} MiB`;

/** S1 (bench/connections.ts). */
export const CONNECTIONS_SECTION = {
  name: "connections",
  by: "bench/connections.ts",
  heading: "Connections (S1)",
};

export function renderConnections(r, file) {
  const bare = r.targets.find((x) => x.id === "bare");
  const relay = r.targets.find((x) => x.id === "relay");
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : "–");
  const limited = r.perServer < r.settings.wanted;
  return [
    `${runLabel(r)}, ${r.durationS} s. Raw data: \`bench/results/${file}\`. Machine: ${r.machine.cpuModel} × ${r.machine.cpus}, ${r.machine.totalMemGiB} GiB, Node ${r.node}; load average at the end ${r.load.join(" / ")}. The client processes and the server share the 2 cores.`,
    "",
    `Open-files limit: soft ${r.fdLimits.soft}, hard ${r.fdLimits.hard} (\`ulimit -Sn\` / \`ulimit -Hn\`; every process is started with its soft limit raised to the hard one). ${limited ? `**A server process can hold at most ~${r.fdLimits.hard} sockets here, so the target of ${r.settings.wanted.toLocaleString("en-US")} was cut to ${r.perServer.toLocaleString("en-US")} per server** (hard limit − ${r.settings.serverFdMargin} for the server's own files); the limit is the machine's, not Relay's or Socket.IO's.` : `Target ${r.perServer.toLocaleString("en-US")} sockets per server.`} Sockets come from ${Math.max(...r.targets.map((x) => x.clients))} client processes of ≤ ${r.settings.perClient.toLocaleString("en-US")} sockets, each connecting from ${r.settings.addressesPerClient} source addresses (127.x.y.z, the \`localAddress\` option) with ${r.settings.concurrency} handshakes in flight; memory is read through the server's inspector after a full GC, before the first socket and ${r.settings.holdS} s after the last one, with every socket still open.`,
    "",
    "| server | sockets held (server's count) | failed | still open after the hold | connects/s | handshake p50 / p99 (ms) | server CPU per connect | clients' CPU per connect (machine busy) | RSS per connection | heap per connection | external per connection | RSS before → after |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.targets.map(
      (x) =>
        `| ${x.id} — ${x.description} | ${x.connected.toLocaleString("en-US")} (${x.serverCount ?? "?"}) | ${x.failed}${
          x.failed
            ? ` (${Object.entries(x.errors)
                .map(([e, c]) => `${e}: ${c}`)
                .join("; ")})`
            : ""
        } | ${x.stillOpenAfterHold.toLocaleString("en-US")} | ${x.connectsPerS.toLocaleString("en-US")} | ${x.handshake.p50} / ${x.handshake.p99} | ${x.serverCpuUsPerConnect} µs | ${x.clientCpuUsPerConnect} µs (${x.machineBusyPct}%) | ${kib(x.perConnection.rss)} | ${kib(x.perConnection.heapUsed)} | ${kib(x.perConnection.external)} | ${mib(x.before.procRss)} → ${mib(x.after.procRss)} |`,
    ),
    "",
    relay && bare
      ? `Relay ÷ bare Socket.IO: RSS per connection ${ratio(relay.perConnection.rss, bare.perConnection.rss)}, heap per connection ${ratio(relay.perConnection.heapUsed, bare.perConnection.heapUsed)}, connects/s ${(relay.connectsPerS / bare.connectsPerS).toFixed(2)}. At ${kib(relay.perConnection.rss)} per connection, 50,000 sockets would need about ${mib(relay.perConnection.rss * 50_000 + relay.before.procRss)} of RSS on one node.`
      : "",
  ].join("\n");
}

/** S4 (bench/fanout.ts). */
export const FANOUT_SECTION = {
  name: "fanout",
  by: "bench/fanout.ts",
  heading: "Group fan-out (S4)",
};

export function renderFanout(r, file) {
  const s = r.settings;
  const find = (t, m) => r.results.find((x) => x.target === t && x.members === m);
  const cpuCell = (x) =>
    Object.entries(x.cpu.processesPct)
      .filter(([k, v]) => v >= 1 && k !== "other" && k !== "kernel irq")
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
  return [
    `${runLabel(r)}, ${r.durationS} s. Raw data: \`bench/results/${file}\`. Machine: ${r.machine.cpuModel} × ${r.machine.cpus}, ${r.machine.totalMemGiB} GiB, Node ${r.node}; load average at the end ${r.load.join(" / ")}. One process holds every member's socket and the sender's and measures (the 2 cores are shared with the servers).`,
    "",
    `One sender (member 0, on node 1) sends ${s.rate} msg/s open loop for ${s.measureS} s (after ${s.warmupMessages} warm-up messages) to a group; every other member has one socket. Relay: ${s.relayNodes} nodes on one Redis, members round-robin over them, each send stored and fanned out once through the Redis adapter (each node delivers to its own members). Baseline: one raw Socket.IO server with the default in-memory adapter, the same sockets, the same broadcast (\`io.to(every member's user room).emit\`), no store. Last-recipient latency = scheduled send → the last of the group's other members has the \`message:new\` (messages that reached everyone). The ${Math.max(...s.groups)}-member group's memberships were written directly to Postgres (LIMITS.groupMaxMembers is ${r.groupMaxMembers}).`,
    "",
    "| group | target | deliveries/s | last recipient p50 / p99 / max (ms) | each delivery p50 / p99 (ms) | ack p50 / p99 (ms) | missing deliveries | CPU % of a core (machine %) | last-recipient p99 ÷ baseline |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.results.map((x) => {
      const b = find("baseline", x.members);
      return `| ${x.members} | ${x.target} | ${x.deliveriesPerS.toLocaleString("en-US")} (of ${(s.rate * x.recipients).toLocaleString("en-US")} offered) | ${x.lastRecipient.p50} / ${x.lastRecipient.p99} / ${x.lastRecipient.max} | ${x.delivery.p50} / ${x.delivery.p99} | ${x.ack.p50} / ${x.ack.p99} | ${x.missing} of ${x.expectedDeliveries.toLocaleString("en-US")} | ${cpuCell(x)} (${x.cpu.machineBusyPct}%) | ${x.target === "baseline" ? "1×" : b ? `${(x.lastRecipient.p99 / b.lastRecipient.p99).toFixed(1)}×` : "–"} |`;
    }),
  ].join("\n");
}

/** S6 (bench/reconnect.ts). */
export const RECONNECT_SECTION = {
  name: "reconnect",
  by: "bench/reconnect.ts",
  heading: "Reconnect storm (S6)",
};

export function renderReconnect(r, file) {
  const s = r.settings;
  const row = (name, l) =>
    `| ${name} | ${l.count.toLocaleString("en-US")} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} |`;
  const later = `> ${s.maxStormS * 1000} (not by the bound)`;
  const pop = (name, l) =>
    `| ${name} | ${l.count.toLocaleString("en-US")} of ${l.population.toLocaleString("en-US")} | ${l.p50 ?? later} | ${l.p90 ?? later} | ${l.p99 ?? later} | ${l.max ?? later} |`;
  return [
    `${runLabel(r)}, ${r.durationS} s. Raw data: \`bench/results/${file}\`. Machine: ${r.machine.cpuModel} × ${r.machine.cpus}, ${r.machine.totalMemGiB} GiB, Node ${r.node}; load average at the end ${r.load.join(" / ")}. Three Relay nodes, the ${s.clientProcesses} victim client processes, the senders and Postgres/Redis/Cassandra share the 2 cores.`,
    "",
    `${r.connectedBeforeKill.toLocaleString("en-US")} clients on node A (groups of ${s.groupSize} clients + 1 sender, ${Math.ceil(s.victims / s.groupSize).toLocaleString("en-US")} groups; the ${s.senders} senders on nodes B and C). ${s.rate} msg/s open loop round-robin over the groups from ${s.preS} s before node A is SIGKILLed until every client is caught up + ${s.tailS} s. Each client reconnects like socket.io-client (1 s × 2^n ± 50 %, ≤ 5 s) to B or C, then \`sync\` with its contiguous mark and \`message:history\` from it until \`hasMore\` is false. Times from the SIGKILL, ms, over all the clients (a percentile the bound cut off is shown as such):`,
    "",
    "| until | clients | p50 | p90 | p99 | max |",
    "| --- | --- | --- | --- | --- | --- |",
    row("saw its socket close", r.disconnected),
    pop("**reconnected** (handshake done on B or C)", r.reconnectedAll),
    pop("**caught up** (sync + history done)", r.caughtUpAll),
    row("(the successful attempt's handshake alone)", r.handshake),
    row("caught up, counted from its reconnect (clients that got there)", r.caughtUpAfterReconnect),
    row("senders' ack (scheduled send → ack), whole run", r.ack),
    "",
    `**Lost: ${r.lost}** of ${r.checkedDeliveries.toLocaleString("en-US")} (message, member) pairs acked to the senders, over the clients caught up at the end${r.unverifiedDeliveries ? ` (${r.unverifiedDeliveries.toLocaleString("en-US")} more pairs belong to clients still reconnecting or syncing at the end: not checked)` : ""} (${r.acked.toLocaleString("en-US")} messages acked of ${r.sent.toLocaleString("en-US")} sent, ${r.ackedBeforeKill.toLocaleString("en-US")} before the kill, ${r.ackedAfterKill.toLocaleString("en-US")} after; ${r.sendErrors} send errors or timeouts). Acked before a client's \`sync\` went out but not held when its catch-up finished: **${r.lostAtCatchUp}**. What the clients hold came live on node A ${r.heldVia.liveOnA.toLocaleString("en-US")}, by catch-up ${r.heldVia.catchUp.toLocaleString("en-US")}, live on the new node ${r.heldVia.liveOnNewNode.toLocaleString("en-US")}. Clients not caught up within the bound (${s.maxStormS} s): ${r.notCaughtUp}; reconnect attempts ${r.reconnectAttempts.toLocaleString("en-US")}, history pages ${r.historyPages.toLocaleString("en-US")}, sync/history requests failed and retried ${r.syncOrHistoryErrors}${
      r.syncErrorCodes && Object.keys(r.syncErrorCodes).length
        ? ` (${Object.entries(r.syncErrorCodes)
            .map(([k, n]) => `${k}: ${n}`)
            .join(", ")})`
        : ""
    }; sockets dropped again after their reconnect (each reconnected and caught up again) ${r.laterDrops}. During the storm (kill → settled + ${s.tailS} s) the two surviving nodes used ${r.stormCpu.processesPct["relay-B"]}% and ${r.stormCpu.processesPct["relay-C"]}% of a core, the client processes ${Object.entries(
      r.stormCpu.processesPct,
    )
      .filter(([k]) => k.startsWith("clients-"))
      .map(([, v]) => `${v}%`)
      .join(
        " and ",
      )}, Cassandra ${r.stormCpu.processesPct["cassandra (java)"]}%, Postgres ${r.stormCpu.processesPct.postgres}%, Redis ${r.stormCpu.processesPct.redis}%; the machine was ${r.stormCpu.machineBusyPct}% busy${
      r.stormCpu.processesPct.other
        ? ` (${r.stormCpu.processesPct.other}% of a core outside these processes${
            r.stormCpu.otherTop && Object.keys(r.stormCpu.otherTop).length
              ? `, busiest: ${Object.entries(r.stormCpu.otherTop)
                  .map(([k, v]) => `${k} ${v}%`)
                  .join(", ")}`
              : ""
          })`
        : ""
    }. Connection attempts the kernel dropped at a full accept queue during the storm (TcpExt ListenOverflows, machine-wide): ${r.listenOverflows?.toLocaleString("en-US") ?? "–"}.${r.lostSamples.length ? ` Lost, e.g.: ${r.lostSamples.join("; ")}.` : ""}`,
  ].join("\n");
}
