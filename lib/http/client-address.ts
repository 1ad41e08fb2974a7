import { BlockList, isIP } from "node:net";

/*
 * Which address a request came from, for throttling and the audit log. X-Forwarded-For is
 * written by whoever sends the request, so it is believed only as far as the proxies in
 * front of Closeline are trusted (CLOSELINE_TRUSTED_PROXIES): by default none, and the client
 * is the address of the socket itself. Next.js does not hand that address to route handlers
 * (it copies it into X-Forwarded-For only when the client sent none), so the server process
 * stamps it on every request under PEER_HEADER, replacing anything a client sent under that
 * name (lib/server/peer-address.ts).
 */
export const PEER_HEADER = "x-closeline-peer";

/** Trust a fixed number of proxy hops, or the proxies whose addresses are listed. */
export type TrustedProxies = { hops: number } | { addresses: BlockList };

/** No proxy is trusted: the client is the socket's peer. */
export const TRUST_NO_PROXY: TrustedProxies = { hops: 0 };

/**
 * Reads CLOSELINE_TRUSTED_PROXIES: a hop count ("1": one proxy, e.g. a load balancer, whose
 * own X-Forwarded-For entry is believed), or addresses and CIDR ranges separated by commas
 * ("10.0.0.0/8, 192.0.2.7, ::1"). Throws on anything else, naming the bad entry.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const text = value?.trim() ?? "";
  if (text === "") return TRUST_NO_PROXY;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) throw new Error(`at most 10 proxy hops can be trusted; got ${hops}`);
    return { hops };
  }
  const addresses = new BlockList();
  for (const entry of text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = "", prefixText] = entry.split("/");
    const family = isIP(address);
    const prefix = prefixText === undefined ? (family === 6 ? 128 : 32) : Number(prefixText);
    if (
      family === 0 ||
      (prefixText !== undefined && !/^\d+$/.test(prefixText)) ||
      prefix > (family === 6 ? 128 : 32)
    ) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    addresses.addSubnet(address, prefix, family === 6 ? "ipv6" : "ipv4");
  }
  return { addresses };
}

function normalise(address: string | null | undefined): string | null {
  if (!address) return null;
  const trimmed = address.trim().replace(/^\[(.*)\](:\d+)?$/, "$1");
  const plain = /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(trimmed) ? trimmed.slice(7) : trimmed;
  return isIP(plain) ? plain : null;
}

function isTrusted(address: string, addresses: BlockList): boolean {
  return addresses.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * The client's address: the socket's peer, or, behind trusted proxies, the address the
 * nearest untrusted hop gave in X-Forwarded-For. Null when there is no stamped peer and no
 * header to go on (a handler called outside Closeline's server, as tests do, falls back to the
 * first X-Forwarded-For entry, which only such callers can set).
 */
export function clientAddress(headers: HeaderSource, trusted: TrustedProxies): string | null {
  const forwarded = (headers.get("x-forwarded-for") ?? "").split(",").map(normalise);
  const peer = normalise(headers.get(PEER_HEADER));
  if (!peer) return forwarded.find((a) => a !== null) ?? null;
  // Nearest hop last: each proxy appends the address it was connected from.
  const chain = [...forwarded, peer];
  if ("hops" in trusted) {
    const index = Math.max(0, chain.length - 1 - trusted.hops);
    return chain[index] ?? peer;
  }
  let nearestBelieved = peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i];
    // An entry that is not an address ends the trust: nothing beyond it can be believed.
    if (!hop) return nearestBelieved;
    if (!isTrusted(hop, trusted.addresses)) return hop;
    nearestBelieved = hop;
  }
  return nearestBelieved;
}
