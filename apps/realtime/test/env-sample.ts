/** A complete, valid realtime environment for unit tests of env parsing. */
export const SAMPLE_ENV = {
  DATABASE_URL: "postgresql://u:p@127.0.0.1:5432/db",
  REDIS_URL: "redis://127.0.0.1:6379/0",
  CASSANDRA_CONTACT_POINTS: "127.0.0.1:9042",
  CASSANDRA_LOCAL_DC: "datacenter1",
  CASSANDRA_KEYSPACE: "relay_dev",
  JWT_SECRET: "s".repeat(40),
};
