/**
 * Test helpers (package export `@relay/messages/testing`): where the test
 * Cassandra is, and a client on a migrated test keyspace.
 */
import type { Client } from "cassandra-driver";
import { createCassandraClient } from "./client";
import { migrateKeyspace, type ReplicationOptions } from "./migrate";

export interface TestCassandraConfig {
  /** Comma-separated host:port list. */
  contactPoints: string;
  localDataCenter: string;
  keyspace: string;
}

/**
 * CASSANDRA_CONTACT_POINTS (default 127.0.0.1:9042), CASSANDRA_LOCAL_DC
 * (default datacenter1), CASSANDRA_KEYSPACE (default relay_test).
 */
export function testCassandraConfig(env: NodeJS.ProcessEnv = process.env): TestCassandraConfig {
  const pick = (name: string, fallback: string) => {
    const value = env[name]?.trim();
    return value ? value : fallback;
  };
  return {
    contactPoints: pick("CASSANDRA_CONTACT_POINTS", "127.0.0.1:9042"),
    localDataCenter: pick("CASSANDRA_LOCAL_DC", "datacenter1"),
    keyspace: pick("CASSANDRA_KEYSPACE", "relay_test"),
  };
}

/** Replication used for test keyspaces (one local node). */
export const TEST_REPLICATION: ReplicationOptions = {
  class: "SimpleStrategy",
  replication_factor: 1,
};

/**
 * A connected client whose keyspace (config.keyspace) has been created and
 * migrated (SimpleStrategy RF 1); its session keyspace is config.keyspace.
 * Safe to call from parallel test files and processes (the migrator takes a
 * lock). The caller shuts it down: `await client.shutdown()`.
 */
export async function connectTestCassandra(
  config: TestCassandraConfig = testCassandraConfig(),
): Promise<Client> {
  const client = createCassandraClient({
    contactPoints: config.contactPoints,
    localDataCenter: config.localDataCenter,
  });
  try {
    await client.connect();
    await migrateKeyspace(client, { keyspace: config.keyspace, replication: TEST_REPLICATION });
    return client;
  } catch (err) {
    await client.shutdown().catch(() => undefined);
    throw err;
  }
}
