// The web client through nginx in front of three realtime nodes (what
// `REALTIME_NODES=3 npm start` runs; tooling/nginx.mjs generates the same
// configuration): nodes A and B come from global-setup.ts, node C and nginx
// are started here so that C can be drained (SIGTERM, as Kubernetes does on a
// rolling update) without disturbing the other specs. The browsers' socket
// URL is steered to nginx; the people on C must come back through nginx on
// another node and keep chatting.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startNginx, type NginxProcess } from "@relay/tooling/nginx";
import { PORTS } from "../global-setup";
import { bubbles, openConversation, send, signUp } from "./helpers";

const root = path.resolve(import.meta.dirname, "../..");
const NGINX_URL = `http://127.0.0.1:${PORTS.realtimeNginx}`;

/** relay_connected_sockets of node C (its internal port), or -1 when it does not answer. */
async function socketsOnC(): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${PORTS.realtimeCInternal}/metrics`);
    const m = /^relay_connected_sockets (\d+)$/m.exec(await res.text());
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

test.describe("three realtime nodes behind nginx", () => {
  let nodeC: ChildProcess;
  let nodeCOutput = "";
  let nodeCExit: Promise<number | null>;
  let lb: NginxProcess;
  let dir: string;

  test.beforeAll(async () => {
    nodeC = spawn(process.execPath, [path.join(root, "apps/realtime/dist/index.js")], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "production",
        REALTIME_PORT: String(PORTS.realtimeC),
        REALTIME_METRICS_PORT: String(PORTS.realtimeCInternal),
        WEB_URL: `http://127.0.0.1:${PORTS.web}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [nodeC.stdout, nodeC.stderr])
      stream?.on("data", (d: Buffer) => (nodeCOutput = (nodeCOutput + d.toString()).slice(-8000)));
    nodeCExit = new Promise((resolve) => nodeC.once("exit", (code) => resolve(code)));
    // Ready once its internal port reports (that is where it listens last).
    await expect
      .poll(socketsOnC, { timeout: 30_000, message: `node C did not start:\n${nodeCOutput}` })
      .toBe(0);
    dir = mkdtempSync(path.join(os.tmpdir(), "relay-e2e-nginx-"));
    lb = await startNginx({
      dir,
      host: "127.0.0.1",
      port: PORTS.realtimeNginx,
      upstreams: [PORTS.realtimeA, PORTS.realtimeB, PORTS.realtimeC].map((p) => `127.0.0.1:${p}`),
      workerProcesses: 1,
    });
  });

  test.afterAll(async () => {
    await lb?.stop("fast");
    if (nodeC && nodeC.exitCode === null && nodeC.signalCode === null) nodeC.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a group chats through nginx across the nodes; the members on a drained node come back on another", async ({
    browser,
  }) => {
    const alice = await signUp(browser, "Alice", { realtimeUrl: NGINX_URL });
    const bob = await signUp(browser, "Bob", { realtimeUrl: NGINX_URL });
    const carol = await signUp(browser, "Carol", { realtimeUrl: NGINX_URL });
    // Round robin over A, B, C: one of the three browsers is on C.
    await expect.poll(socketsOnC).toBeGreaterThan(0);

    await alice.page.getByRole("button", { name: "New group" }).click();
    await alice.page.getByLabel("Group name").fill("Behind nginx");
    for (const p of [bob, carol]) {
      await alice.page.getByLabel("Find people").fill(p.name);
      await alice.page.getByTestId("person").filter({ hasText: p.name }).click();
    }
    await alice.page.getByRole("button", { name: "Create group" }).click();
    await expect(alice.page.getByRole("heading", { level: 1, name: "Behind nginx" })).toBeVisible();
    await openConversation(bob, "Behind nginx");
    await openConversation(carol, "Behind nginx");

    await send(alice, "hello from alice");
    await expect(bubbles(bob.page, "hello from alice")).toBeVisible();
    await expect(bubbles(carol.page, "hello from alice")).toBeVisible();
    await send(carol, "hello from carol");
    await expect(bubbles(alice.page, "hello from carol")).toBeVisible();
    await expect(bubbles(bob.page, "hello from carol")).toBeVisible();

    // Drain node C as Kubernetes would (SIGTERM): it exits cleanly, and its
    // browsers reconnect through nginx to A or B on their own.
    nodeC.kill("SIGTERM");
    expect(await nodeCExit, nodeCOutput).toBe(0);
    for (const p of [alice, bob, carol])
      await expect(p.page.getByTestId("connection-banner")).toBeHidden({ timeout: 20_000 });

    await send(alice, "after the drain");
    await expect(bubbles(bob.page, "after the drain")).toBeVisible();
    await expect(bubbles(carol.page, "after the drain")).toBeVisible();
    await send(bob, "bob still here");
    await expect(bubbles(alice.page, "bob still here")).toBeVisible();
    await expect(bubbles(carol.page, "bob still here")).toBeVisible();
    await send(carol, "carol still here");
    await expect(bubbles(alice.page, "carol still here")).toBeVisible();
    await expect(bubbles(bob.page, "carol still here")).toBeVisible();
    for (const p of [alice, bob, carol])
      await expect(bubbles(p.page, "hello from alice")).toHaveCount(1);
    for (const p of [alice, bob, carol]) await p.context.close();
  });
});
