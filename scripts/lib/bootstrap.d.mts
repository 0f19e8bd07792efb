// Types for bootstrap.mjs, so TypeScript tests (tests/bootstrap.test.ts) can import it.

export const projectRoot: string;
export const STAMP_FILE: string;

export class BootstrapError extends Error {
  constructor(message: string, exitCode?: number);
  exitCode: number;
}

export interface ManifestFact {
  /** relative to the project root, e.g. "packages/shared/package.json" */
  path: string;
  mtimeMs: number;
  /** its dependency lists equal package-lock.json's record for it (undefined: unknown) */
  inLock?: boolean | undefined;
}

export interface DependencyFacts {
  nodeModules: boolean;
  stamp: string | null;
  lockHash: string | null;
  lockMtimeMs: number | null;
  hiddenLockMtimeMs: number | null;
  manifests: ManifestFact[];
}

export type DependencyState = "fresh" | "stale" | "missing";

export interface DependencyDecision {
  state: DependencyState;
  reason: string;
  writeStamp: boolean;
}

export function decideDependencies(facts: DependencyFacts): DependencyDecision;
export function readDependencyFacts(root?: string): DependencyFacts;
export function workspaceManifests(
  root: string,
  workspaces: string[] | { packages?: string[] } | undefined,
): string[];
export function manifestMatchesLock(
  manifest: unknown,
  lockPackages: Record<string, unknown> | null,
  key: string,
): boolean | undefined;
export function hashLock(bytes: string | Uint8Array): string;

export interface EnsureOptions {
  root?: string;
  log?: (msg: string) => void;
  stdio?: "inherit" | "pipe" | "ignore";
  env?: NodeJS.ProcessEnv;
  exitOnFailure?: boolean;
}

export interface EnsureResult extends DependencyDecision {
  installed: boolean;
  command: string | null;
}

export function ensureDependencies(options?: EnsureOptions): EnsureResult;

export function projectNodeMajor(pkg: unknown): number | null;
export function reexecUnderProjectNode(options?: {
  root?: string;
  log?: (msg: string) => void;
}): Promise<false>;
