import { describe, expect, it } from "vitest";
import { parseContactPoints } from "./client";
import { assertKeyspaceName, replicationToCql, splitCqlStatements } from "./cql";
import { bucketOf, BUCKET_SIZE } from "./model";
import { testCassandraConfig } from "./testing";

describe("splitCqlStatements", () => {
  it("splits on ; outside strings and comments and drops comments", () => {
    const script = [
      "-- header comment; with a semicolon",
      "CREATE TABLE IF NOT EXISTS a (id int PRIMARY KEY) WITH comment = 'x; y -- z';",
      "",
      "/* block; comment */ INSERT INTO a (id) VALUES (1); // trailing; comment",
      "SELECT \"weird;name\" FROM a WHERE s = 'it''s; fine'",
      ";;",
    ].join("\n");
    expect(splitCqlStatements(script)).toEqual([
      "CREATE TABLE IF NOT EXISTS a (id int PRIMARY KEY) WITH comment = 'x; y -- z'",
      "INSERT INTO a (id) VALUES (1)",
      "SELECT \"weird;name\" FROM a WHERE s = 'it''s; fine'",
    ]);
  });

  it("handles $$ strings and rejects unterminated quotes", () => {
    expect(splitCqlStatements("SELECT $$a;b$$ FROM t;")).toEqual(["SELECT $$a;b$$ FROM t"]);
    expect(() => splitCqlStatements("SELECT 'oops")).toThrow(SyntaxError);
    expect(() => splitCqlStatements("/* never closed")).toThrow(SyntaxError);
    expect(splitCqlStatements("-- only a comment\n")).toEqual([]);
  });
});

describe("replicationToCql / assertKeyspaceName", () => {
  it("renders replication maps", () => {
    expect(replicationToCql({ class: "SimpleStrategy", replication_factor: 1 })).toBe(
      "{'class': 'SimpleStrategy', 'replication_factor': '1'}",
    );
    expect(replicationToCql({ class: "NetworkTopologyStrategy", dc1: 3, "dc'2": "2" })).toBe(
      "{'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc''2': '2'}",
    );
    expect(() => replicationToCql({ class: "" })).toThrow(TypeError);
    expect(() => replicationToCql({ class: "SimpleStrategy", replication_factor: -1 })).toThrow(
      TypeError,
    );
  });

  it("accepts only plain lower-case keyspace names", () => {
    expect(assertKeyspaceName("relay_test")).toBe("relay_test");
    for (const bad of ["Relay", "1abc", "a-b", "a;DROP", "", "x".repeat(49)]) {
      expect(() => assertKeyspaceName(bad)).toThrow(TypeError);
    }
  });
});

describe("bucketOf", () => {
  it("is floor(seq / 1000)", () => {
    expect(BUCKET_SIZE).toBe(1000);
    expect([0, 1, 999, 1000, 1001, 1999, 2000, 7100].map(bucketOf)).toEqual([
      0, 0, 0, 1, 1, 1, 2, 7,
    ]);
  });
});

describe("config helpers", () => {
  it("parses contact point lists", () => {
    expect(parseContactPoints(" 10.0.0.1:9042, 10.0.0.2 ,,")).toEqual([
      "10.0.0.1:9042",
      "10.0.0.2",
    ]);
    expect(() => parseContactPoints(" , ")).toThrow(TypeError);
  });

  it("reads the test Cassandra config from the environment with defaults", () => {
    expect(testCassandraConfig({})).toEqual({
      contactPoints: "127.0.0.1:9042",
      localDataCenter: "datacenter1",
      keyspace: "relay_test",
    });
    expect(
      testCassandraConfig({
        CASSANDRA_CONTACT_POINTS: "c1:9142,c2",
        CASSANDRA_LOCAL_DC: "dc2",
        CASSANDRA_KEYSPACE: "ks_x",
      }),
    ).toEqual({ contactPoints: "c1:9142,c2", localDataCenter: "dc2", keyspace: "ks_x" });
  });
});
