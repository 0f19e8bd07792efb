import { tsImport } from "tsx/esm/api";
import { log } from "./proc.mjs";

/** The demo accounts and conversations (Postgres), then demo messages and reports through core. */
export async function seed(env) {
  const { createDb, seedDemo } = await tsImport("../../prisma/src/index.ts", import.meta.url);
  const db = createDb({ url: env.DATABASE_URL, max: 2 });
  let demo;
  try {
    demo = await seedDemo(db);
  } finally {
    await db.$disconnect();
  }
  const core = await tsImport("../../packages/core/src/index.ts", import.meta.url);
  const stores = core.createStores(env, {
    logger: core.createLogger({ app: "seed", level: "warn" }),
    dbPoolMax: 2,
  });
  try {
    const { seeded } = await core.seedDemoActivity(stores, {
      users: demo.users,
      groupId: demo.group.id,
    });
    log(
      `demo seed ready: ${Object.values(demo.users)
        .map((u) => u.email)
        .join(", ")}${seeded ? " (with demo messages and reports)" : ""}`,
    );
  } finally {
    await stores.close();
  }
}
