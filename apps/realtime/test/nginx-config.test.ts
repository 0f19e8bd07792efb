// The nginx configuration generator (tooling/nginx.mjs) refuses settings that
// would break Socket.IO behind it; what the configuration does is tested
// through a real nginx in nginx.integration.test.ts.
import { describe, expect, it } from "vitest";
import { renderNginxConfig, SOCKET_IO_SILENCE_S } from "@relay/tooling/nginx";

const base = { dir: "/tmp/relay-nginx-test", port: 4000, upstreams: ["127.0.0.1:4001"] };

describe("nginx config for realtime nodes", () => {
  it("keeps idle sockets longer than Socket.IO's ping window and refuses less", () => {
    expect(SOCKET_IO_SILENCE_S).toBe(40);
    expect(renderNginxConfig(base)).toMatch(/proxy_read_timeout 75s;/);
    expect(() => renderNginxConfig({ ...base, readTimeoutS: 40 })).toThrow(/must exceed/);
  });

  it("lists every node, accepts URLs or host:port, and refuses anything else", () => {
    const conf = renderNginxConfig({
      ...base,
      upstreams: ["http://127.0.0.1:4001", "127.0.0.1:4002", "http://[::1]:4003"],
    });
    expect(conf.match(/^ {4}server \S+/gm)).toEqual([
      "    server 127.0.0.1:4001",
      "    server 127.0.0.1:4002",
      "    server [::1]:4003",
    ]);
    expect(() => renderNginxConfig({ ...base, upstreams: ["127.0.0.1:4001; evil"] })).toThrow(
      /not an upstream/,
    );
    expect(() => renderNginxConfig({ ...base, upstreams: [] })).toThrow(/at least one/);
    expect(() => renderNginxConfig({ ...base, dir: "relative" })).toThrow(/absolute/);
  });

  it("sets X-Forwarded-For to the peer at the edge, appends behind another balancer", () => {
    expect(renderNginxConfig(base)).toMatch(/X-Forwarded-For \$remote_addr;/);
    expect(renderNginxConfig({ ...base, forwardedFor: "append" })).toMatch(
      /X-Forwarded-For \$proxy_add_x_forwarded_for;/,
    );
  });
});
