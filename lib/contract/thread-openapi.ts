import { SEARCH_KINDS } from "./thread-api";
import { errors, jsonAnswer, rangeParameters } from "./work-openapi";

/*
 * The revenue thread and search as the OpenAPI document describes them; their answers are
 * the zod schemas of thread-api.ts (THREAD_SCHEMAS).
 */

const SECURITY = [{ personalToken: [] }, { apiKey: ["read"] }];

const pathId = (what: string) => ({
  name: "id",
  in: "path",
  required: true,
  description: `The ${what}'s id, as its own system names it`,
  schema: { type: "string", minLength: 1, maxLength: 200 },
});

const read = (
  operationId: string,
  summary: string,
  description: string,
  parameters: unknown[],
  schema: string,
  statuses: number[],
) => ({
  get: {
    operationId,
    tags: ["threads"],
    summary,
    description,
    security: SECURITY,
    parameters,
    responses: {
      "200": jsonAnswer(summary, schema),
      ...errors(...statuses),
    },
  },
});

export function threadApiPaths() {
  return {
    "/api/v1/threads/invoice/{id}": read(
      "getInvoiceThread",
      "An invoice's revenue thread",
      "Usage of its billing period, the invoice, its ERP postings, its payments and the entitlement updates that followed: one hop per stage, in stage order, each with its status, time, duration from the hop before and target (the KPI targets), and the first stuck or late hop named in a sentence.",
      [pathId("invoice")],
      "InvoiceThread",
      [400, 404],
    ),
    "/api/v1/threads/customer/{id}": read(
      "getCustomerThread",
      "A customer's revenue thread",
      "The threads of the customer's invoices issued in [from, to) (the last 365 days when absent; newest first, at most 24), their open exceptions, amendments and disputes, and whether they are entitled, and if not, why.",
      [pathId("customer"), ...rangeParameters("The range's start; with `to`, or neither")],
      "CustomerThread",
      [400, 404],
    ),
    "/api/v1/threads/contract/{id}": read(
      "getContractThread",
      "A contract's thread",
      "Its amendments, oldest first, each with whether it is retroactive, the exception it raised, the customer's invoices for its entity billed from its effective date (and whether each was issued before the amendment, on the old terms), and the recorded accounting periods from its effective date to when it was made.",
      [pathId("contract")],
      "ContractThread",
      [400, 404],
    ),
    "/api/v1/search": read(
      "search",
      "Find a record by its id or a prefix of it",
      `Customers, invoices, postings, payments, contracts and reconciliation runs by an id prefix, exceptions and incidents by a prefix of their uuid, events by their sequence number or a prefix of their CloudEvent id; at most 5 of each kind (${SEARCH_KINDS.join(", ")}), each with the page it opens.`,
      [
        {
          name: "q",
          in: "query",
          required: true,
          description: "The id or its beginning",
          schema: { type: "string", minLength: 1, maxLength: 200 },
        },
      ],
      "SearchResults",
      [400],
    ),
  };
}
