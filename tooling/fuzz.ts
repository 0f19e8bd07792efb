// Seeded generators of hostile input for the fuzz tests (socket events in
// apps/realtime/test/fuzz.integration.test.ts, REST bodies in
// apps/web/test/fuzz.integration.test.ts): a valid payload mutated in every
// way a hostile or buggy client could — wrong types, missing and extra keys,
// __proto__, huge and control-character strings, unpaired surrogates, deep
// nesting, non-objects. Same seed, same cases.

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Strings every text field should survive (or refuse cleanly). */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "x".repeat(5000),
  "a\u0000b",
  "bell\u0007",
  "\u202Ereversed",
  "lone \uD800",
  "\uDC00",
  "😀",
  "<script>alert(1)</script>",
  "%E0%A4%A",
  "__proto__",
  "constructor",
  "1e309",
  "-1",
  "../../etc/passwd",
];

export interface Fuzzer {
  random: () => number;
  pick: <T>(xs: readonly T[]) => T;
  /** A random scalar, empty container or short list. */
  scalar: () => unknown;
  /** `payload` changed in one hostile way (or not an object at all). */
  mutate: (payload: Record<string, unknown>) => unknown;
}

/** `extraStrings`: ids and the like that make mutations hit real rows. */
export function createFuzzer(seed: number, extraStrings: readonly string[] = []): Fuzzer {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const strings = [...HOSTILE_STRINGS, ...extraStrings];
  const scalar = (): unknown =>
    pick<() => unknown>([
      () => pick(strings),
      () => Math.floor(random() * 2 ** 40) * (random() < 0.5 ? -1 : 1),
      () => random() * 1e6,
      () => Number.MAX_SAFE_INTEGER + 2,
      () => null,
      () => true,
      () => [],
      () => ({}),
      () => [pick(strings)],
    ])();
  const deep = (n: number): unknown => (n === 0 ? "bottom" : { next: deep(n - 1) });
  const mutate = (p: Record<string, unknown>): unknown => {
    const keys = Object.keys(p);
    const key = () => (keys.length ? pick(keys) : "any");
    switch (Math.floor(random() * 9)) {
      case 0:
        return scalar(); // not an object at all
      case 1: {
        const q = { ...p };
        delete q[key()];
        return q;
      }
      case 2:
        return { ...p, [key()]: scalar() };
      case 3:
        return { ...p, [pick(["extra", "admin", "role", "seq", "userId"])]: scalar() };
      case 4:
        return JSON.parse(
          `{"__proto__":{"polluted":true}${keys.length ? "," : ""}${JSON.stringify(p).slice(1)}`,
        ) as unknown;
      case 5:
        return { ...p, [key()]: deep(40) };
      case 6:
        return { ...p, [key()]: pick(strings) };
      case 7:
        return [p];
      default:
        return { ...p, [key()]: [scalar(), scalar()] };
    }
  };
  return { random, pick, scalar, mutate };
}
