import { describe, expect, it } from "vitest";
import { PROJECTED_EVENT_TYPES } from "@/db/queries/ingest";
import { EVENT_TYPE_NAMES } from "@/lib/contract/event-types";

/*
 * db/ keeps its own list of the projected event types (it imports nothing from the contract);
 * it must name every type of the contract, in the contract's order, which is the order a
 * batch's projections run in so that two concurrent batches lock tables alike.
 */
describe("projected event types", () => {
  it("are the contract's event types, in its order", () => {
    expect(PROJECTED_EVENT_TYPES).toEqual(EVENT_TYPE_NAMES);
  });
});
