// Types of bench/report.mjs for the TypeScript benchmark scripts (the
// renderers take a stored result as it was written: JSON, checked loosely).
import type { TDocSection } from "./results";

export const MESSAGING_SECTION: TDocSection;
export function renderMarkdown(result: unknown): string;

export const CONNECTIONS_SECTION: TDocSection;
export function renderConnections(result: unknown, file: string): string;

export const FANOUT_SECTION: TDocSection;
export function renderFanout(result: unknown, file: string): string;

export const RECONNECT_SECTION: TDocSection;
export function renderReconnect(result: unknown, file: string): string;
