import { tsImport } from "tsx/esm/api";
import { log } from "./proc.mjs";

export async function seed(env) {
  const { createDb, seedDemo } = await tsImport("../../prisma/src/index.ts", import.meta.url);
  const db = createDb({ url: env.DATABASE_URL, max: 2 });
  try {
    const { users } = await seedDemo(db);
    log(
      `demo seed ready: ${Object.values(users)
        .map((u) => u.email)
        .join(", ")}`,
    );
  } finally {
    await db.$disconnect();
  }
}
