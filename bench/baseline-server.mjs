#!/usr/bin/env node
// Baselines for the benchmarks: a raw Socket.IO server (the same socket.io
// package Relay runs, same server options, the default in-memory adapter)
// with none of Relay's code. BENCH_BASELINE_STORE picks what a send does:
//
//   none       (default) the same wire work Relay does for a send and nothing
//              else: message:new (a message object of Relay's shape) to every
//              member's user room, then the ack {ok, data: {messageId, seq, createdAt}}
//   cassandra  the least any durable design must do: ONE cassandra-driver
//              INSERT per message (prepared, LOCAL_QUORUM, same cluster and
//              keyspace as Relay, a table of its own: bench_baseline_messages,
//              created here), the ack once Cassandra has it, then message:new
//
// Membership is an in-memory map filled from the handshake: auth = {userId,
// conversationId?, peerId?, conversationIds?}: the user (and the peer) become
// members of the conversation(s) named; seq is an in-memory counter. Sockets
// with only {userId} are idle connections (the connections benchmark).
//
// GET /healthz → 200; GET /stats → {sockets, memory} (process.memoryUsage()).
// Started by scripts/bench.mjs (and bench/*.ts) as its own process:
//   BENCH_BASELINE_PORT=<port> [BENCH_BASELINE_STORE=cassandra] node bench/baseline-server.mjs
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "socket.io";

const env = process.env;
const port = Number(env.BENCH_BASELINE_PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write("BENCH_BASELINE_PORT must be a port number\n");
  process.exit(1);
}
const store = env.BENCH_BASELINE_STORE ?? "none";
if (store !== "none" && store !== "cassandra") {
  process.stderr.write("BENCH_BASELINE_STORE must be none or cassandra\n");
  process.exit(1);
}

/** The durable baseline's one write: a prepared INSERT at LOCAL_QUORUM. */
async function openCassandra() {
  const { default: cassandra } = await import("cassandra-driver");
  const keyspace = env.CASSANDRA_KEYSPACE;
  if (!keyspace || !/^[a-z][a-z0-9_]{0,47}$/.test(keyspace))
    throw new Error("CASSANDRA_KEYSPACE must name the keyspace (the test profile's)");
  // The same driver options as Relay's client (packages/messages/src/client.ts).
  const client = new cassandra.Client({
    contactPoints: (env.CASSANDRA_CONTACT_POINTS ?? "127.0.0.1:9042").split(","),
    localDataCenter: env.CASSANDRA_LOCAL_DC ?? "datacenter1",
    keyspace,
    socketOptions: {
      connectTimeout: 5_000,
      readTimeout: 10_000,
      keepAlive: true,
      tcpNoDelay: true,
    },
    queryOptions: { consistency: cassandra.types.consistencies.localQuorum, prepare: true },
    protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
  });
  await client.connect();
  // DDL only when the table is missing (a schema change waits for schema
  // agreement, which other sessions' migrations on a shared cluster can hold up).
  const exists = await client.execute(
    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, "bench_baseline_messages"],
  );
  for (let attempt = 1; exists.rowLength === 0; attempt++) {
    try {
      await client.execute(
        `CREATE TABLE IF NOT EXISTS bench_baseline_messages (
           conversation_id uuid,
           seq bigint,
           message_id uuid,
           sender_id text,
           client_msg_id text,
           body text,
           created_at timestamp,
           PRIMARY KEY (conversation_id, seq)
         ) WITH comment = 'bench/baseline-server.mjs: the socket+Cassandra baseline (one row per message)'`,
        [],
        { readTimeout: 60_000 },
      );
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      process.stderr.write(`creating bench_baseline_messages failed (${err?.message}); retrying\n`);
    }
  }
  const insert =
    "INSERT INTO bench_baseline_messages (conversation_id, seq, message_id, sender_id, client_msg_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
  return {
    client,
    write: (m) =>
      client.execute(
        insert,
        [m.conversationId, m.seq, m.id, m.senderId, m.clientMsgId ?? null, m.body, m.createdAtDate],
        { prepare: true },
      ),
  };
}

const cassandra = store === "cassandra" ? await openCassandra() : null;

/** conversationId → Set of member user ids */
const members = new Map();
/** conversationId → last seq */
const seqs = new Map();
const isId = (v) => typeof v === "string" && v.length > 0 && v.length <= 64;
const memberSet = (conversationId) => {
  let set = members.get(conversationId);
  if (!set) members.set(conversationId, (set = new Set()));
  return set;
};

const httpServer = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
    return;
  }
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ sockets: io.engine.clientsCount, memory: process.memoryUsage() }));
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

io.use((socket, next) => {
  const { userId, conversationId, peerId, conversationIds } = socket.handshake.auth ?? {};
  if (!isId(userId)) return next(new Error("auth must be {userId, conversationId?, peerId?}"));
  socket.data = { userId };
  const convs = [
    ...(isId(conversationId) ? [conversationId] : []),
    ...(Array.isArray(conversationIds) ? conversationIds.filter(isId) : []),
  ];
  for (const c of convs) {
    const set = memberSet(c).add(userId);
    if (isId(peerId)) set.add(peerId);
  }
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
    const createdAtDate = new Date();
    const message = {
      id: randomUUID(),
      conversationId,
      seq,
      senderId: userId,
      body: String(payload.body ?? ""),
      kind: "text",
      createdAt: createdAtDate.toISOString(),
      editedAt: null,
      deleted: false,
      clientMsgId: payload.clientMsgId,
    };
    const rooms = [...set].map((id) => `user:${id}`);
    const data = { messageId: message.id, seq, createdAt: message.createdAt };
    if (!cassandra) {
      // Same order as Relay's handler: fan-out to the members' rooms, then ack.
      io.to(rooms).emit("message:new", message);
      ack({ ok: true, data });
      return;
    }
    // Durable: acknowledged only once Cassandra has the row, then delivered.
    cassandra.write({ ...message, createdAtDate }).then(
      () => {
        ack({ ok: true, data });
        io.to(rooms).emit("message:new", message);
      },
      (err) => ack({ ok: false, error: { code: "UNAVAILABLE", message: String(err?.message) } }),
    );
  });
});

httpServer.listen(port, "127.0.0.1");

const stop = () => {
  io.local.disconnectSockets(true);
  void io.close(() => {
    void (cassandra?.client.shutdown() ?? Promise.resolve()).finally(() => process.exit(0));
  });
  setTimeout(() => process.exit(0), 3_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
