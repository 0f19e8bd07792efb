export type {
  MessageRepository,
  Page,
  PageOptions,
  StoredMessage,
  MessageKind,
} from "./repository";
export { BUCKET_SIZE, bucketOf } from "./model";
export {
  CassandraMessageRepository,
  type CassandraMessageRepositoryOptions,
} from "./cassandra-repository";
export { InMemoryMessageRepository } from "./in-memory-repository";
export {
  migrateKeyspace,
  loadMigrations,
  waitForSchemaAgreement,
  DEFAULT_MIGRATIONS_DIR,
  type MigrateOptions,
  type MigrationResult,
  type Migration,
  type ReplicationOptions,
} from "./migrate";
export {
  createCassandraClient,
  parseContactPoints,
  CONNECT_TIMEOUT_MS,
  READ_TIMEOUT_MS,
  RECONNECT_DELAY_MS,
  type CassandraClientConfig,
} from "./client";
export { splitCqlStatements } from "./cql";
