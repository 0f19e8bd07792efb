import type { Options } from "tsup";

export function nodeBundle(entry: string[]): Options;
