/**
 * Internal: turns zod issues into short human messages that name the field
 * path and never echo input values (they may be secrets or user content).
 * Parse with `{ reportInput: true }` so a missing field reads "required".
 */
import type { core } from "zod";

export type TIssue = core.$ZodIssue;

const MAX_MESSAGE_CHARS = 300;
const MAX_ISSUES_IN_MESSAGE = 3;

const FORMAT_NAMES: Record<string, string> = { datetime: "ISO datetime" };

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join(".");
}

function withArticle(noun: string): string {
  if (noun === "int") return "an integer";
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function literal(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

function oneOf(values: readonly unknown[]): string {
  return values.length === 1 ? literal(values[0]) : `one of ${values.map(literal).join(", ")}`;
}

/** What is wrong, without the path. */
export function describeIssue(issue: TIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "required" : `expected ${withArticle(issue.expected)}`;
    case "too_big": {
      const max = String(issue.maximum);
      if (issue.origin === "string") return `too long (max ${max})`;
      if (issue.origin === "array" || issue.origin === "set") return `too many items (max ${max})`;
      return issue.inclusive === false ? `must be less than ${max}` : `too large (max ${max})`;
    }
    case "too_small": {
      const min = String(issue.minimum);
      if (issue.origin === "string")
        return issue.minimum === 1 ? "must not be empty" : `too short (min ${min})`;
      if (issue.origin === "array" || issue.origin === "set") return `too few items (min ${min})`;
      return issue.inclusive === false ? `must be greater than ${min}` : `too small (min ${min})`;
    }
    case "invalid_format":
      // Our regex checks carry their own message; zod's default would print the pattern.
      if (issue.format === "regex") return issue.message;
      return `invalid ${FORMAT_NAMES[issue.format] ?? issue.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    case "invalid_union":
      return "options" in issue && issue.options?.length
        ? `expected ${oneOf(issue.options)}`
        : "invalid value";
    case "invalid_key": {
      const inner = issue.issues[0];
      return inner ? `invalid key (${describeIssue(inner)})` : "invalid key";
    }
    case "invalid_value":
      return `expected ${oneOf(issue.values)}`;
    case "invalid_element":
      return "invalid element";
    case "custom":
      return issue.message;
    default:
      return "invalid value";
  }
}

/**
 * "path: problem". Unknown keys and object-level refinements read fine
 * without a path; any other root-level issue is labelled `rootLabel`.
 */
export function formatIssue(issue: TIssue, rootLabel = "payload"): string {
  const path = formatPath(issue.path);
  const text = describeIssue(issue);
  if (path) return `${path}: ${text}`;
  return issue.code === "unrecognized_keys" || issue.code === "custom"
    ? text
    : `${rootLabel}: ${text}`;
}

/** Several issues as one short line, most relevant first. */
export function summarizeIssues(issues: readonly TIssue[]): string {
  const parts = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((issue) => formatIssue(issue));
  if (issues.length > MAX_ISSUES_IN_MESSAGE)
    parts.push(`${issues.length - MAX_ISSUES_IN_MESSAGE} more`);
  const message = parts.join("; ");
  return message.length > MAX_MESSAGE_CHARS
    ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`
    : message;
}
