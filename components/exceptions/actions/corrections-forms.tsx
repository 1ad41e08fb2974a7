"use client";

import { ChoiceOptions } from "@/components/forms/field";
import { FormStatus } from "@/components/forms/form-status";
import { useCorrectionActions } from "./corrections-feedback";

export function ProposeCorrectionForm({
  exceptionId,
  kinds,
  defaultCurrency,
}: {
  exceptionId: string;
  kinds: { value: string; label: string }[];
  defaultCurrency: string;
}) {
  const { state, action, pending } = useCorrectionActions().propose;
  return (
    <form action={action} className="form-row" aria-label="Propose a correction">
      <input type="hidden" name="exceptionId" value={exceptionId} />
      <label className="field">
        Kind
        <select name="kind" required defaultValue={kinds[0]?.value}>
          <ChoiceOptions choices={kinds} />
        </select>
      </label>
      <label className="field">
        Amount
        <input name="amount" inputMode="decimal" required placeholder="1250.00" />
      </label>
      <label className="field">
        Currency
        <input
          name="currency"
          required
          maxLength={3}
          defaultValue={defaultCurrency}
          style={{ width: "5rem" }}
        />
      </label>
      <label className="field">
        Target system
        <select name="targetSystem" required defaultValue="billing">
          <option value="billing">Billing platform</option>
          <option value="erp">ERP</option>
        </select>
      </label>
      <label className="field" style={{ flex: "1 1 18rem" }}>
        Reason
        <input name="reason" required minLength={5} maxLength={2000} />
      </label>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? "Proposing…" : "Propose correction"}
      </button>
      <FormStatus state={state} />
    </form>
  );
}

export function DecideCorrectionForm({
  correctionId,
  version,
}: {
  correctionId: string;
  version: number;
}) {
  const { state, action, pending } = useCorrectionActions().decide;
  return (
    <form action={action} className="form-row" aria-label="Decide on the correction">
      <input type="hidden" name="correctionId" value={correctionId} />
      <input type="hidden" name="version" value={version} />
      <label className="field" style={{ flex: "1 1 18rem" }}>
        Reason for your decision
        <input name="reason" required minLength={3} maxLength={2000} />
      </label>
      <button className="primary" type="submit" name="decision" value="approve" disabled={pending}>
        Approve
      </button>
      <button className="danger" type="submit" name="decision" value="reject" disabled={pending}>
        Reject
      </button>
      <FormStatus state={state} />
    </form>
  );
}
