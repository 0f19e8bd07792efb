// npm run push:standins — the FCM and APNs stand-ins on their own, so a
// person can watch pushes arrive from `npm start` without real credentials.
// Prints the worker env to use; every request is printed and appended to a
// JSON-lines log. The test PKI is kept in its folder between runs, so a
// worker configured once keeps trusting restarted stand-ins.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPushStandins } from "./index";

const dir = process.env.PUSH_STANDIN_DIR ?? path.join(tmpdir(), "relay-push-standins");
const logFile = path.join(dir, "received.jsonl");
// The FCM stand-in's bearer token is kept too, so the printed env stays valid across restarts.
mkdirSync(dir, { recursive: true, mode: 0o700 });
const tokenFile = path.join(dir, "fcm-access-token");
if (!existsSync(tokenFile)) writeFileSync(tokenFile, `standin-${randomUUID()}`, { mode: 0o600 });
const fcmAccessToken = readFileSync(tokenFile, "utf8").trim();
const standins = await startPushStandins({
  dir,
  reuse: true,
  fcmPort: Number(process.env.PUSH_STANDIN_FCM_PORT ?? 4443),
  apnsPort: Number(process.env.PUSH_STANDIN_APNS_PORT ?? 4444),
  logFile,
  fcmAccessToken,
});

const out = (line: string) => process.stdout.write(`${line}\n`);
out("Relay push stand-ins are running (local FCM and APNs; nothing leaves this machine).");
out("");
out("Give the push worker this env (add the lines to .env, then restart `npm start`):");
out("");
for (const [k, v] of Object.entries(standins.env)) out(`${k}=${v}`);
out("");
out(`Every request is printed below and appended to ${logFile}`);
out(
  `Script errors: curl -sk --http2 -XPOST https://127.0.0.1:${standins.apns.port}/__standin/fail -d '{"status":410,"reason":"Unregistered"}'`,
);
out(
  `               curl -sk -XPOST https://127.0.0.1:${standins.fcm.port}/__standin/fail -d '{"status":503,"reason":"UNAVAILABLE","retryAfter":"5"}'`,
);
out("Ctrl-C stops them.");
out("");

for (const r of [standins.fcm.recorder, standins.apns.recorder])
  r.on(
    "request",
    (e: { n: number; token: string; status: number; reason?: string; body: unknown }) =>
      out(
        `${r.name.padEnd(4)} #${e.n} → ${e.status}${e.reason ? ` ${e.reason}` : ""} token=${e.token.slice(0, 12)}… ${JSON.stringify(e.body)}`,
      ),
  );

const stop = () => void standins.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
