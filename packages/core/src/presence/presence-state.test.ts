// Presence as the push worker reads it: status from live leases, and since when.
import { describe, expect, it } from "vitest";
import { presenceStateFromHash } from "./presence-state";

const live =
  (...ids: string[]) =>
  (i: string) =>
    ids.includes(i);

describe("presenceStateFromHash", () => {
  it("away since the recorded change; online wins; dead instances do not count", () => {
    expect(
      presenceStateFromHash({ "n1#a|s1": "away", _s: "away", _at: "1000" }, live("n1#a")),
    ).toEqual({
      status: "away",
      sinceMs: 1000,
    });
    expect(
      presenceStateFromHash(
        { "n1#a|s1": "away", "n2#b|s2": "online", _s: "online", _at: "5" },
        live("n1#a", "n2#b"),
      ),
    ).toEqual({ status: "online", sinceMs: 5 });
    expect(presenceStateFromHash({ "n1#a|s1": "online", _s: "online", _at: "5" }, live())).toEqual({
      status: "offline",
      sinceMs: null,
    });
  });
  it("no trustworthy time when the published status lags or _at is missing", () => {
    expect(
      presenceStateFromHash({ "n1#a|s1": "away", _s: "online", _at: "9" }, live("n1#a")).sinceMs,
    ).toBeNull();
    expect(
      presenceStateFromHash({ "n1#a|s1": "away", _s: "away" }, live("n1#a")).sinceMs,
    ).toBeNull();
    expect(presenceStateFromHash({}, live())).toEqual({ status: "offline", sinceMs: null });
  });
});
