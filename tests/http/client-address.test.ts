import { describe, expect, it } from "vitest";
import {
  PEER_HEADER,
  TRUST_NO_PROXY,
  clientAddress,
  parseTrustedProxies,
} from "@/lib/http/client-address";
import { parseEnv } from "@/lib/env";

/*
 * Which address a request counts as coming from. A client writes X-Forwarded-For itself, so
 * only entries added by trusted proxies may be believed; the socket's peer always is.
 */

const request = (peer: string | null, forwardedFor?: string) =>
  new Headers({
    ...(peer === null ? {} : { [PEER_HEADER]: peer }),
    ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
  });

describe("with no trusted proxy (the default)", () => {
  it("is the socket's peer, whatever X-Forwarded-For claims", () => {
    for (const claim of [undefined, "1.2.3.4", "1.2.3.4, 5.6.7.8", "garbage", ""]) {
      expect(clientAddress(request("198.51.100.7", claim), TRUST_NO_PROXY)).toBe("198.51.100.7");
    }
  });

  it("reads IPv4-mapped IPv6 peers as IPv4", () => {
    expect(clientAddress(request("::ffff:127.0.0.1"), TRUST_NO_PROXY)).toBe("127.0.0.1");
    expect(clientAddress(request("2001:db8::1"), TRUST_NO_PROXY)).toBe("2001:db8::1");
  });
});

describe("behind a trusted hop count", () => {
  const oneHop = parseTrustedProxies("1");

  it("believes the entry the proxy appended, not what the client wrote before it", () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy (10.0.0.2) appended 203.0.113.9.
    expect(clientAddress(request("10.0.0.2", "6.6.6.6, 203.0.113.9"), oneHop)).toBe("203.0.113.9");
  });

  it("falls back to the peer when the proxy sent nothing", () => {
    expect(clientAddress(request("10.0.0.2"), oneHop)).toBe("10.0.0.2");
  });
});

describe("behind listed proxies", () => {
  const list = parseTrustedProxies("10.0.0.0/8, 192.0.2.7, ::1");

  it("walks back over trusted hops to the first untrusted one", () => {
    expect(clientAddress(request("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.1.1.1"), list)).toBe(
      "203.0.113.9",
    );
    expect(clientAddress(request("::1", "203.0.113.9, 192.0.2.7"), list)).toBe("203.0.113.9");
  });

  it("never believes X-Forwarded-For from a peer that is not listed", () => {
    expect(clientAddress(request("198.51.100.7", "10.0.0.5"), list)).toBe("198.51.100.7");
  });

  it("stops at an entry that is not an address", () => {
    expect(clientAddress(request("10.0.0.2", "203.0.113.9, nonsense, 10.1.1.1"), list)).toBe(
      "10.1.1.1",
    );
  });
});

describe("the setting", () => {
  it.each(["0", "2", "10.0.0.0/8", "2001:db8::/32, 127.0.0.1", " 192.0.2.7 "])(
    "takes %j",
    (value) => {
      expect(() => parseTrustedProxies(value)).not.toThrow();
      expect(() => parseEnv({ CLOSELINE_TRUSTED_PROXIES: value })).not.toThrow();
    },
  );

  it.each(["eleven", "10.0.0.0/33", "::/129", "300.1.1.1", "10.0.0.0/x", "11"])(
    "refuses %j at start-up, naming it",
    (value) => {
      expect(() => parseEnv({ CLOSELINE_TRUSTED_PROXIES: value })).toThrow(
        /CLOSELINE_TRUSTED_PROXIES/,
      );
    },
  );
});
