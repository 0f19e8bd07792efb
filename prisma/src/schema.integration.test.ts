import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./index";
import { describeSchema, prismaCli, scratchDatabase, testDatabaseUrl } from "./testing";

describe("schema.prisma and prisma/migrations", () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  async function fromMigrations() {
    const db = await scratchDatabase("relay_drift_m");
    drops.push(db.drop);
    await prismaCli(["migrate", "deploy"], db.url);
    return db.url;
  }

  async function fromSchema() {
    const db = await scratchDatabase("relay_drift_s");
    drops.push(db.drop);
    const sql = await prismaCli(
      ["migrate", "diff", "--from-empty", "--to-schema-datamodel", "schema.prisma", "--script"],
      db.url,
    );
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(sql);
    await c.end();
    return db.url;
  }

  it("migrations produce exactly the database schema.prisma describes (no drift)", async () => {
    const [migrated, declared] = await Promise.all([fromMigrations(), fromSchema()]);
    const a = await describeSchema(migrated);
    expect(a.length).toBeGreaterThan(50);
    expect(a).toEqual(await describeSchema(declared));
  });

  it("the drift check notices a difference", async () => {
    const url = await fromMigrations();
    const before = await describeSchema(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`ALTER TABLE "User" ADD COLUMN "nickname" TEXT`);
    await c.end();
    const after = await describeSchema(url);
    expect(after).not.toEqual(before);
    expect(after.filter((r) => !before.includes(r))).toEqual([
      `column User.nickname: text null default -`,
    ]);
  });
});

describe("Prisma client against real Postgres", () => {
  const db = createDb({ url: testDatabaseUrl(), max: 2 });
  afterAll(() => db.$disconnect());

  it("writes and reads a user", async () => {
    const email = `u-${randomUUID()}@test.relay`;
    const created = await db.user.create({ data: { email, name: "Ada" } });
    const found = await db.user.findUnique({ where: { email } });
    expect(found).toMatchObject({
      id: created.id,
      name: "Ada",
      role: "USER",
      status: "ACTIVE",
      lastSeenAt: null,
    });
  });

  it("rejects a second user with the same email", async () => {
    const email = `dup-${randomUUID()}@test.relay`;
    await db.user.create({ data: { email, name: "One" } });
    await expect(db.user.create({ data: { email, name: "Two" } })).rejects.toMatchObject({
      code: "P2002",
    });
  });

  it("keeps one direct conversation per pair and cascades memberships", async () => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((n) =>
        db.user.create({ data: { email: `${n}-${randomUUID()}@test.relay`, name: n } }),
      ),
    );
    const directKey = [a!.id, b!.id].sort().join(":");
    const conv = await db.conversation.create({
      data: {
        type: "DIRECT",
        directKey,
        memberships: { create: [{ userId: a!.id, role: "OWNER" }, { userId: b!.id }] },
      },
      include: { memberships: true },
    });
    expect(conv.memberships.map((m) => m.lastReadSeq)).toEqual([0n, 0n]);
    await expect(
      db.conversation.create({ data: { type: "DIRECT", directKey } }),
    ).rejects.toMatchObject({ code: "P2002" });
    await db.conversation.delete({ where: { id: conv.id } });
    expect(await db.membership.count({ where: { conversationId: conv.id } })).toBe(0);
  });
});
