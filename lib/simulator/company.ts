import { rngFor } from "./prng";

/*
 * The simulated company: ACME, a usage-priced SaaS business selling through three legal
 * entities. Customers, plans and prices come from the seed alone, so they are the same in
 * every run with that seed.
 */

export interface Entity {
  code: string;
  currency: string;
  /** Short form used in document numbers (INV-US-…). */
  short: string;
  /** Hours from UTC of the entity's main market, for the daily shape of usage and bank hours. */
  utcOffsetHours: number;
  /** Share of customers and of usage. */
  share: number;
  /** The bank rail customers of this entity pay by when they do not pay by card. */
  bankRail: "ach" | "wire" | "sepa" | "bacs";
}

export const ENTITIES: readonly Entity[] = [
  {
    code: "ACME-US",
    currency: "USD",
    short: "US",
    utcOffsetHours: -5,
    share: 0.55,
    bankRail: "ach",
  },
  {
    code: "ACME-EU",
    currency: "EUR",
    short: "EU",
    utcOffsetHours: 1,
    share: 0.3,
    bankRail: "sepa",
  },
  {
    code: "ACME-UK",
    currency: "GBP",
    short: "UK",
    utcOffsetHours: 0,
    share: 0.15,
    bankRail: "bacs",
  },
];

export interface Meter {
  id: string;
  /** Usage records per hour at the daily peak for the whole company. */
  peakRecordsPerHour: number;
  /** Whether the metering pipeline reports records it refused (malformed, unknown customer). */
  reportsRejected: boolean;
  /** Price per record by currency, as a decimal string, where metering reports one. */
  unitPrice?: Readonly<Record<string, string>>;
}

/*
 * Four meters × three entities = 12 hourly checkpoints, about 17,500 over a 60-day backfill:
 * enough to show completeness per entity and meter without making the demo slow to load.
 */
export const METERS: readonly Meter[] = [
  {
    id: "api_calls",
    peakRecordsPerHour: 2_400_000,
    reportsRejected: true,
    unitPrice: { USD: "0.00002", EUR: "0.000019", GBP: "0.000016" },
  },
  {
    id: "compute_minutes",
    peakRecordsPerHour: 310_000,
    reportsRejected: false,
    unitPrice: { USD: "0.0012", EUR: "0.0011", GBP: "0.00095" },
  },
  { id: "storage_gb_hours", peakRecordsPerHour: 42_000, reportsRejected: false },
  { id: "messages_sent", peakRecordsPerHour: 880_000, reportsRejected: true },
];

export type PlanId = "starter" | "growth" | "enterprise";

/** Monthly platform fee in minor units per currency; usage is billed on top. */
const PLAN_FEES: Record<PlanId, Record<string, number>> = {
  starter: { USD: 4_900, EUR: 4_500, GBP: 3_900 },
  growth: { USD: 49_900, EUR: 46_900, GBP: 39_900 },
  enterprise: { USD: 450_000, EUR: 420_000, GBP: 360_000 },
};

/** A typical month's usage charge as a multiple of the plan fee, before per-customer scale. */
const PLAN_USAGE_RATIO: Record<PlanId, number> = { starter: 0.4, growth: 0.8, enterprise: 1.1 };

export type PaymentMethod = "card" | "bank";

/**
 * How a customer pays: most on time, some a few days after the due date, a few so late that
 * the product restricts them first, and the odd one who stops paying altogether.
 */
export type PayingBehaviour = "punctual" | "slow" | "late" | "non_payer";

export interface Customer {
  id: string;
  number: number;
  name: string;
  entity: Entity;
  plan: PlanId;
  planFeeMinor: number;
  /** Typical monthly usage charge in minor units. */
  usageMinor: number;
  method: PaymentMethod;
  /** Days from issue to due date; 0 = charged on issue (card). */
  termsDays: number;
  behaviour: PayingBehaviour;
}

export interface Company {
  seed: number;
  entities: readonly Entity[];
  meters: readonly Meter[];
  customers: readonly Customer[];
  customersByEntity: ReadonlyMap<string, readonly Customer[]>;
}

const NAME_FIRST = [
  "Northwind",
  "Bluefin",
  "Kestrel",
  "Harbor",
  "Cobalt",
  "Juniper",
  "Lumen",
  "Orbit",
  "Pioneer",
  "Quarry",
  "Redwood",
  "Summit",
  "Tidal",
  "Vantage",
  "Willow",
  "Atlas",
  "Beacon",
  "Cinder",
  "Delta",
  "Ember",
  "Fjord",
  "Granite",
  "Helix",
  "Ionic",
  "Meridian",
  "Nimbus",
  "Onyx",
  "Prism",
];
const NAME_SECOND = [
  "Analytics",
  "Logistics",
  "Health",
  "Robotics",
  "Media",
  "Payments",
  "Labs",
  "Retail",
  "Energy",
  "Mobility",
  "Security",
  "Foods",
  "Learning",
  "Travel",
  "Insurance",
  "Studios",
];
const NAME_SUFFIX: Record<string, readonly string[]> = {
  USD: ["Inc.", "LLC", "Corp."],
  EUR: ["GmbH", "SAS", "B.V.", "S.r.l."],
  GBP: ["Ltd", "plc"],
};

export const DEFAULT_CUSTOMER_COUNT = 300;

export function createCompany(seed: number, customerCount = DEFAULT_CUSTOMER_COUNT): Company {
  const customers: Customer[] = [];
  for (let number = 1; number <= customerCount; number++) {
    const rng = rngFor(seed, "customer", number);
    const entity = rng.weighted(ENTITIES.map((e) => [e, e.share] as const));
    const plan = rng.weighted<PlanId>([
      ["starter", 0.5],
      ["growth", 0.38],
      ["enterprise", 0.12],
    ]);
    const planFeeMinor = PLAN_FEES[plan][entity.currency]!;
    // Usage spend is skewed: a few heavy users per plan pay several times the typical amount.
    const scale = rng.chance(0.1) ? rng.between(2, 5) : rng.between(0.2, 1.4);
    const usageMinor = Math.round(planFeeMinor * PLAN_USAGE_RATIO[plan] * scale);
    const method: PaymentMethod =
      plan === "starter" ? "card" : plan === "growth" && rng.chance(0.45) ? "card" : "bank";
    const termsDays =
      method === "card"
        ? 0
        : plan === "enterprise"
          ? rng.pick([30, 30, 45, 60])
          : rng.pick([15, 30]);
    const behaviour = rng.weighted<PayingBehaviour>([
      ["punctual", 0.8],
      ["slow", 0.13],
      ["late", 0.06],
      ["non_payer", 0.01],
    ]);
    const name = `${rng.pick(NAME_FIRST)} ${rng.pick(NAME_SECOND)} ${rng.pick(NAME_SUFFIX[entity.currency]!)}`;
    customers.push({
      id: `cus_${String(number).padStart(4, "0")}`,
      number,
      name,
      entity,
      plan,
      planFeeMinor,
      usageMinor,
      method,
      termsDays,
      behaviour,
    });
  }
  const customersByEntity = new Map<string, Customer[]>();
  for (const entity of ENTITIES) customersByEntity.set(entity.code, []);
  for (const customer of customers) customersByEntity.get(customer.entity.code)!.push(customer);
  return { seed, entities: ENTITIES, meters: METERS, customers, customersByEntity };
}
