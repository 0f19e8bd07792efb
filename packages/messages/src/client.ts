import cassandra from "cassandra-driver";
import type { Client, ClientOptions } from "cassandra-driver";

export interface CassandraClientConfig {
  /** Comma-separated `host[:port]` list, e.g. "10.0.0.1:9042,10.0.0.2:9042". */
  contactPoints: string;
  localDataCenter: string;
  /** Session keyspace; it must already exist (run migrateKeyspace with a keyspace-less client first). */
  keyspace?: string;
  /** Extra driver options, shallow-merged over the defaults below. */
  driverOptions?: Partial<ClientOptions>;
}

/** Connect timeout for a socket to a Cassandra node. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Per-request client-side timeout (above Cassandra's own 2 s write / 5 s read timeouts). */
export const READ_TIMEOUT_MS = 10_000;
/** Delay between reconnection attempts to a down node. */
export const RECONNECT_DELAY_MS = 1_000;

/** "a:9042, b" -> ["a:9042", "b"] */
export function parseContactPoints(contactPoints: string): string[] {
  const points = contactPoints
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (points.length === 0) throw new TypeError("contactPoints must list at least one host[:port]");
  return points;
}

/**
 * A driver client with Relay's defaults: 5 s connect / 10 s read timeouts,
 * a constant 1 s reconnection policy (down nodes, and the control connection,
 * are retried every second, so the client recovers by itself when Cassandra
 * comes back), LOCAL_QUORUM and prepared statements by default, TCP keep-alive.
 *
 * The client connects lazily on first use (or call `client.connect()`); a
 * failed connect is not sticky, the next request tries again.
 * Remember `await client.shutdown()`.
 */
export function createCassandraClient(config: CassandraClientConfig): Client {
  const options: ClientOptions = {
    contactPoints: parseContactPoints(config.contactPoints),
    localDataCenter: config.localDataCenter,
    socketOptions: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      readTimeout: READ_TIMEOUT_MS,
      keepAlive: true,
      tcpNoDelay: true,
    },
    policies: {
      reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(
        RECONNECT_DELAY_MS,
      ),
    },
    queryOptions: {
      consistency: cassandra.types.consistencies.localQuorum,
      serialConsistency: cassandra.types.consistencies.localSerial,
      prepare: true,
    },
    protocolOptions: {
      // DDL responses wait (up to this) for all live nodes to agree on the schema.
      maxSchemaAgreementWaitSeconds: 30,
    },
    ...config.driverOptions,
  };
  if (config.keyspace) options.keyspace = config.keyspace;
  return new cassandra.Client(options);
}
