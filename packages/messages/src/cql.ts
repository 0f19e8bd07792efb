/** Small CQL helpers shared by the migrator and the repository. */

/**
 * Keyspace names are used unquoted in CQL (so they are case-insensitive and
 * stored lower-case); accept only what needs no quoting: lower-case letters,
 * digits and underscores, starting with a letter, at most 48 characters.
 */
const KEYSPACE_RE = /^[a-z][a-z0-9_]{0,47}$/;

export function assertKeyspaceName(name: unknown): string {
  if (typeof name !== "string" || !KEYSPACE_RE.test(name)) {
    throw new TypeError(`invalid keyspace name ${JSON.stringify(name)}: use [a-z][a-z0-9_]{0,47}`);
  }
  return name;
}

/**
 * Splits a CQL script into statements on `;` outside string literals and
 * comments. Understands `'...'` (with '' escapes), `"..."` identifiers,
 * `$$...$$` strings, `--` and `//` line comments and `/* *\/` block comments.
 * Comments are dropped; empty statements are skipped; no trailing `;`.
 */
export function splitCqlStatements(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  const n = script.length;
  const flush = () => {
    const text = current.trim();
    if (text.length > 0) statements.push(text);
    current = "";
  };
  while (i < n) {
    const ch = script[i]!;
    const next = i + 1 < n ? script[i + 1]! : "";
    if ((ch === "-" && next === "-") || (ch === "/" && next === "/")) {
      const end = script.indexOf("\n", i);
      i = end === -1 ? n : end; // keep the newline as whitespace
      continue;
    }
    if (ch === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2);
      if (end === -1) throw new SyntaxError("unterminated /* comment in CQL script");
      current += " ";
      i = end + 2;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new SyntaxError(`unterminated ${ch} quote in CQL script`);
        if (script[j] === ch) {
          if (script[j + 1] === ch) {
            j += 2; // doubled quote = escaped quote
            continue;
          }
          break;
        }
        j++;
      }
      current += script.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === "$" && next === "$") {
      const end = script.indexOf("$$", i + 2);
      if (end === -1) throw new SyntaxError("unterminated $$ string in CQL script");
      current += script.slice(i, end + 2);
      i = end + 2;
      continue;
    }
    if (ch === ";") {
      flush();
      i++;
      continue;
    }
    current += ch;
    i++;
  }
  flush();
  return statements;
}

/** Renders a replication map as a CQL map literal: {'class': 'SimpleStrategy', 'replication_factor': '1'}. */
export function replicationToCql(replication: Record<string, string | number>): string {
  const cls = replication["class"];
  if (typeof cls !== "string" || cls.length === 0) {
    throw new TypeError(
      "replication must have a 'class' (e.g. SimpleStrategy or NetworkTopologyStrategy)",
    );
  }
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const parts = Object.entries(replication).map(([key, value]) => {
    if (typeof value === "number" && (!Number.isSafeInteger(value) || value < 0)) {
      throw new TypeError(`replication value for ${key} must be a non-negative integer`);
    }
    if (typeof value !== "number" && typeof value !== "string") {
      throw new TypeError(`replication value for ${key} must be a string or number`);
    }
    return `${quote(key)}: ${quote(String(value))}`;
  });
  return `{${parts.join(", ")}}`;
}
