// The checked-in deployment files agree with the code: docker-compose.yml's
// nginx config is what the generator (tooling/nginx.mjs, through
// scripts/nginx-config.mjs) writes for the command recorded in its first
// line, and it names exactly the compose realtime nodes' addresses, the
// address the nodes trust being nginx's own.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./support";

const read = (file: string) => readFileSync(path.join(root, file), "utf8");

describe("deploy/nginx/realtime.conf", () => {
  const conf = read("deploy/nginx/realtime.conf");

  it("is the generator's output for the command in its first line", () => {
    const command = /^# \$ node scripts\/nginx-config\.mjs (.*)$/m.exec(conf.split("\n")[0] ?? "");
    expect(command, "first line records the command").not.toBeNull();
    const r = spawnSync(
      process.execPath,
      ["scripts/nginx-config.mjs", ...command![1]!.split(" ").filter(Boolean)],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(conf);
  });

  it("names the compose realtime nodes, and the nodes trust nginx's address only", () => {
    const compose = read("docker-compose.yml");
    const address = (service: string) =>
      new RegExp(`^  ${service}:\\n(?:    .*\\n|\\n)*?        ipv4_address: (\\S+)$`, "m").exec(
        compose,
      )?.[1];
    const nodes = ["realtime-1", "realtime-2", "realtime-3"].map(address);
    expect(nodes).not.toContain(undefined);
    const upstreams = [...conf.matchAll(/^ {4}server (\S+) /gm)].map((m) => m[1]);
    expect(upstreams).toEqual(nodes.map((ip) => `${ip}:4000`));
    const trusted = [...compose.matchAll(/TRUSTED_PROXIES: (\S+)/g)].map((m) => m[1]);
    expect(trusted).toEqual(Array<string>(3).fill(`${address("nginx")}/32`));
  });
});
