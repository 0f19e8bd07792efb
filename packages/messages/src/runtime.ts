// The runtime pieces servers need (repository + client), without the CQL
// migrator, whose file-system lookup of cql/ bundlers such as Turbopack cannot
// follow. Import this from bundled apps: `@relay/messages/runtime`.
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
export { createCassandraClient, type CassandraClientConfig } from "./client";
