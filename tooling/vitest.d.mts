import type { UserWorkspaceConfig } from "vitest/config";

export function relayProject(overrides?: UserWorkspaceConfig): UserWorkspaceConfig;
