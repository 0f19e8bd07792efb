import { describe, expect, it } from "vitest";
import { InMemoryMessageRepository } from "./in-memory-repository";
import { makeMessage, describeMessageRepository } from "./repository.contract";

describeMessageRepository("InMemoryMessageRepository", () => new InMemoryMessageRepository());

describe("InMemoryMessageRepository", () => {
  it("returns copies, so callers cannot mutate stored messages", async () => {
    const repo = new InMemoryMessageRepository();
    const msg = makeMessage(crypto.randomUUID(), 1);
    await repo.insert(msg);
    msg.body = "mutated after insert";
    const read = await repo.findById(msg.conversationId, msg.id);
    expect(read?.body).toBe("message #1");
    read!.createdAt.setTime(0);
    expect((await repo.findById(msg.conversationId, msg.id))?.createdAt.getTime()).not.toBe(0);
  });
});
