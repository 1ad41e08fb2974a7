import http from "node:http";
import { PEER_HEADER } from "@/lib/http/client-address";

const STAMPED = Symbol.for("closeline.peer-address-stamped");

/**
 * Stamps every HTTP request this process serves with the address of its socket's peer under
 * PEER_HEADER, overwriting whatever a client sent under that name, so lib/http/client-address.ts
 * can tell the real peer from what a client wrote in X-Forwarded-For. Next.js offers route
 * handlers no other way to see the socket. Idempotent.
 */
export function stampPeerAddresses(): void {
  const proto = http.Server.prototype as http.Server & { [STAMPED]?: true };
  if (proto[STAMPED]) return;
  proto[STAMPED] = true;
  const emit = proto.emit;
  proto.emit = function emitWithPeer(
    this: http.Server,
    event: string | symbol,
    ...args: unknown[]
  ) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      request.headers[PEER_HEADER] = request.socket?.remoteAddress ?? "";
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof proto.emit;
}
