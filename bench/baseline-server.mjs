#!/usr/bin/env node
// Baseline for the messaging benchmark: a raw Socket.IO server (the same
// socket.io package Relay runs, same server options) with none of Relay's
// stores. It does the same wire work Relay does for a 1:1 send:
//   client → message:send {conversationId, clientMsgId, body}
//   server → message:new (a message object of Relay's shape) to every member's
//            user room, then the ack {ok: true, data: {messageId, seq, createdAt}}
// Membership is an in-memory map filled from the handshake
// (auth = {userId, conversationId, peerId}); seq is an in-memory counter.
// Started by scripts/bench.mjs as its own process:
//   BENCH_BASELINE_PORT=<port> node bench/baseline-server.mjs
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.BENCH_BASELINE_PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write("BENCH_BASELINE_PORT must be a port number\n");
  process.exit(1);
}

const httpServer = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end('{"ok":false,"error":{"code":"NOT_FOUND","message":"not found"}}');
});

// Same options as apps/realtime/src/app.ts (minus CORS and the Redis adapter).
const io = new Server(httpServer, {
  pingInterval: 20_000,
  pingTimeout: 20_000,
  maxHttpBufferSize: 64 * 1024,
});

/** conversationId → Set of member user ids */
const members = new Map();
/** conversationId → last seq */
const seqs = new Map();
const isId = (v) => typeof v === "string" && v.length > 0 && v.length <= 64;

io.use((socket, next) => {
  const { userId, conversationId, peerId } = socket.handshake.auth ?? {};
  if (!isId(userId) || !isId(conversationId) || !isId(peerId)) {
    return next(new Error("auth must be {userId, conversationId, peerId}"));
  }
  socket.data = { userId };
  let set = members.get(conversationId);
  if (!set) members.set(conversationId, (set = new Set()));
  set.add(userId).add(peerId);
  next();
});

io.on("connection", (socket) => {
  const { userId } = socket.data;
  void socket.join(`user:${userId}`);
  socket.on("message:send", (payload, ack) => {
    if (typeof ack !== "function") return;
    const conversationId = payload?.conversationId;
    const set = members.get(conversationId);
    if (!set || !set.has(userId)) {
      ack({ ok: false, error: { code: "FORBIDDEN", message: "not a member" } });
      return;
    }
    const seq = (seqs.get(conversationId) ?? 0) + 1;
    seqs.set(conversationId, seq);
    const message = {
      id: randomUUID(),
      conversationId,
      seq,
      senderId: userId,
      body: String(payload.body ?? ""),
      kind: "text",
      createdAt: new Date().toISOString(),
      editedAt: null,
      deleted: false,
      clientMsgId: payload.clientMsgId,
    };
    // Same order as Relay's handler: fan-out to the members' rooms, then ack.
    io.to([...set].map((id) => `user:${id}`)).emit("message:new", message);
    ack({ ok: true, data: { messageId: message.id, seq, createdAt: message.createdAt } });
  });
});

httpServer.listen(port, "127.0.0.1");

const stop = () => {
  io.disconnectSockets(true);
  void io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 3_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
