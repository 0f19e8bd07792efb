// npm run push:dlq -- list [limit] | replay [<id>…] | count
// The dead-letter queue of the push pipeline: jobs that used up their
// attempts (a provider down for hours, a platform without credentials…).
// `replay` puts them back on the queue; the worker's "sent" markers make sure
// nothing that did go out is sent twice.
import { createLogger, createStores, loadEnvOrExit, logFormatFor } from "@relay/core";
import { loadPushEnv } from "./env";

async function main() {
  const env = loadEnvOrExit("push", () => loadPushEnv());
  const logger = createLogger({ app: "push-dlq", level: "warn", format: logFormatFor(env) });
  const stores = createStores(env, { logger, dbPoolMax: 1 });
  const [command = "list", ...args] = process.argv.slice(2);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    if (command === "list") {
      const letters = await stores.push.deadLetters.list(Number(args[0] ?? 100));
      if (!letters.length) out("the dead-letter queue is empty");
      for (const l of letters)
        out(
          `${l.id}  ${l.name}  ${l.deadLetteredAt}  attempts=${l.attemptsMade}  reason=${l.failedReason}  ${JSON.stringify(l.data)}`,
        );
    } else if (command === "count") {
      out(String((await stores.push.stats()).deadLettered));
    } else if (command === "replay") {
      const n = await stores.push.deadLetters.replay(args.length ? args : undefined);
      out(`replayed ${n} job(s)`);
    } else {
      out("usage: npm run push:dlq -- list [limit] | count | replay [<job id>…]");
      process.exitCode = 2;
    }
  } finally {
    await stores.close();
  }
}

void main();
