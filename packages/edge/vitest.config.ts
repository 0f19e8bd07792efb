import { relayProject } from "@relay/tooling/vitest";

export default relayProject();
