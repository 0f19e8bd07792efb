// Everything, including the CQL migrator (Node-only: it reads cql/ from disk).
// Bundled apps import `@relay/messages/runtime` instead.
export * from "./runtime";
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
  parseContactPoints,
  CONNECT_TIMEOUT_MS,
  READ_TIMEOUT_MS,
  RECONNECT_DELAY_MS,
} from "./client";
export { splitCqlStatements } from "./cql";
