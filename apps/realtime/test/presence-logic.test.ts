// The pure presence decisions (no Redis): status rule, snapshots, reaper choices.
import { describe, expect, it } from "vitest";
import { loadRealtimeEnv } from "../src/env";
import {
  computeStatus,
  connField,
  connsFromHash,
  DEFAULT_PRESENCE_TIMINGS,
  fieldInstance,
  findDeadInstances,
  groupConnsByUser,
  instanceIdFor,
  mergeSnapshot,
  offlineDetectionBoundMs,
  parseInstances,
  parsePresenceMessage,
  presenceKeys,
  presenceTimingsFromEnv,
  snapshotFromHash,
  type TConn,
  type TInstanceState,
} from "../src/services/presence-logic";
import { SAMPLE_ENV } from "./env-sample";

const U = "7d8f3f6e-4a57-4d7e-9d0b-0a1b2c3d4e5f";
const live =
  (...ids: string[]) =>
  (i: string) =>
    ids.includes(i);

describe("computeStatus", () => {
  const on = (instance: string): TConn => ({ instance, status: "online" });
  const away = (instance: string): TConn => ({ instance, status: "away" });

  it("is offline without connections", () => {
    expect(computeStatus([], live())).toBe("offline");
  });
  it("is online if any live device is online", () => {
    expect(computeStatus([away("a"), on("b")], live("a", "b"))).toBe("online");
  });
  it("is away only if every live device is away", () => {
    expect(computeStatus([away("a"), away("b")], live("a", "b"))).toBe("away");
  });
  it("ignores devices on dead instances", () => {
    expect(computeStatus([on("dead"), away("a")], live("a"))).toBe("away");
    expect(computeStatus([on("dead")], live("a"))).toBe("offline");
  });
});

describe("user hash fields", () => {
  it("round-trips instance and socket, skipping bookkeeping fields", () => {
    const inst = instanceIdFor("host:4000", "ab12cd34");
    expect(fieldInstance(connField(inst, "sock-1"))).toBe(inst);
    expect(fieldInstance("_s")).toBeNull();
    expect(fieldInstance("_seen")).toBeNull();
    expect(connsFromHash({ _s: "online", _seen: "1", [connField(inst, "x")]: "away" })).toEqual([
      { instance: inst, status: "away" },
    ]);
  });
  it("keeps the field separator out of instance ids", () => {
    expect(instanceIdFor("a|b", "r")).toBe("a_b#r");
  });
  it("puts a user's keys in one hash slot", () => {
    const k = presenceKeys("relay:test:");
    expect(k.user(U)).toBe(`relay:test:presence:user:{${U}}`);
    expect(k.lease("n#1")).toBe(`${k.leasePrefix}n#1`);
  });
});

describe("snapshotFromHash", () => {
  const states = new Map<string, TInstanceState>([
    ["alive", { live: true, lastRefreshMs: 5_000 }],
    ["dead", { live: false, lastRefreshMs: 9_000 }],
  ]);

  it("gives online/away users no lastSeenAt", () => {
    expect(snapshotFromHash(U, { "alive|s1": "away" }, states, new Date(1))).toEqual({
      userId: U,
      status: "away",
      lastSeenAt: null,
    });
  });
  it("gives offline users the latest of Redis, a dead node's last renewal and Postgres", () => {
    expect(snapshotFromHash(U, { _s: "offline", _seen: "3000" }, states, new Date(2_000))).toEqual({
      userId: U,
      status: "offline",
      lastSeenAt: new Date(3_000).toISOString(),
    });
    expect(snapshotFromHash(U, { _s: "online", "dead|s1": "online" }, states, null)).toEqual({
      userId: U,
      status: "offline",
      lastSeenAt: new Date(9_000).toISOString(),
    });
    expect(snapshotFromHash(U, {}, states, new Date(7_000)).lastSeenAt).toBe(
      new Date(7_000).toISOString(),
    );
  });
  it("has no lastSeenAt for someone never seen", () => {
    expect(snapshotFromHash(U, {}, states, null)).toEqual({
      userId: U,
      status: "offline",
      lastSeenAt: null,
    });
  });
});

describe("reaper decisions", () => {
  const registered = parseInstances(["a#1", "100", "b#2", "200", "me#3", "300"]);

  it("parses ZRANGE WITHSCORES", () => {
    expect(registered).toEqual([
      { instance: "a#1", lastRefreshMs: 100 },
      { instance: "b#2", lastRefreshMs: 200 },
      { instance: "me#3", lastRefreshMs: 300 },
    ]);
  });
  it("reaps instances whose lease is gone, never its own current one", () => {
    expect(findDeadInstances(registered, [false, true, false], "me#3")).toEqual([
      { instance: "a#1", lastRefreshMs: 100 },
    ]);
    expect(findDeadInstances(registered, [true, true, true], null)).toEqual([]);
  });
  it("groups a dead instance's connections per user as hash fields", () => {
    const byUser = groupConnsByUser("a#1", ["u1|s1", "u2|s2", "u1|s3", "garbage"]);
    expect(Object.fromEntries(byUser)).toEqual({
      u1: ["a#1|s1", "a#1|s3"],
      u2: ["a#1|s2"],
    });
  });
});

describe("presence events", () => {
  it("parses channel messages into the protocol event", () => {
    expect(parsePresenceMessage(`${U}|offline|1700000000000`)).toEqual({
      userId: U,
      status: "offline",
      lastSeenAt: new Date(1_700_000_000_000).toISOString(),
    });
    expect(parsePresenceMessage(`${U}|online|`)).toEqual({
      userId: U,
      status: "online",
      lastSeenAt: null,
    });
    expect(parsePresenceMessage("nonsense")).toBeNull();
  });
  it("lets an event that reached the watcher during the snapshot read win", () => {
    const snap = [
      { userId: "a", status: "online" as const, lastSeenAt: null },
      { userId: "b", status: "online" as const, lastSeenAt: null },
    ];
    const during = new Map([["b", { userId: "b", status: "away" as const, lastSeenAt: null }]]);
    expect(mergeSnapshot(snap, during).map((p) => p.status)).toEqual(["online", "away"]);
  });
});

describe("presence timings", () => {
  const base = SAMPLE_ENV;

  it("defaults to a SIGKILL-to-offline bound within the promised 45 s", () => {
    const timings = presenceTimingsFromEnv(loadRealtimeEnv(base));
    expect(timings).toEqual(DEFAULT_PRESENCE_TIMINGS);
    expect(offlineDetectionBoundMs(timings)).toBeLessThanOrEqual(45_000 - 5_000);
  });
  it("refuses a refresh interval that would let one missed renewal expire the lease", () => {
    expect(() =>
      loadRealtimeEnv({
        ...base,
        PRESENCE_LEASE_TTL_MS: "3000",
        PRESENCE_LEASE_REFRESH_MS: "2000",
      }),
    ).toThrow(/PRESENCE_LEASE_REFRESH_MS/);
  });
});
