import { describe, expect, it } from "vitest";
import type { DigestPayload } from "@/lib/contract/digests";
import { digestEmail, slackDigest, teamsDigest } from "@/lib/digests/render";

/*
 * A digest in each channel's shape, from one set of words: Slack's Block Kit with what people
 * typed escaped from its markup, a Teams Adaptive Card, and the e-mail's two parts. A section
 * the owner may not read says so rather than looking empty.
 */

const DIGEST: DigestPayload = {
  id: "7f1c0c8e-4a43-4d0e-9d7e-0a1b2c3d4e5f",
  cadence: "weekly",
  periodKey: "2026-12-07",
  generatedAt: "2026-12-07T07:00:00.000Z",
  window: { from: "2026-11-30T07:00:00.000Z", to: "2026-12-07T07:00:00.000Z" },
  entity: "ACME-US",
  url: "https://closeline.test/overview?entity=ACME-US",
  close: {
    period: { key: "2026-11", label: "November 2026" },
    entities: [
      {
        entity: "ACME-US",
        verdict: "no_go",
        blockerCount: 3,
        url: "https://closeline.test/close/a",
      },
    ],
  },
  kpis: [
    {
      id: "erp-first-pass",
      title: "ERP first-pass success",
      value: 0.75,
      display: "75.00%",
      status: "off_target",
      target: "target ≥ 95.00%",
      change: "−25.00 pp",
      assessment: "worse",
    },
  ],
  alerts: [
    {
      id: "a1",
      ruleName: "First pass <below> 90 %",
      severity: "critical",
      dimension: "ACME-US",
      startedAt: "2026-12-06T10:00:00.000Z",
      acknowledged: true,
      url: "https://closeline.test/alerts#alert-a1",
    },
  ],
  exceptions: null,
};

describe("digest messages", () => {
  it("is a Slack message with a header, one section per part and the overview link, escaped", () => {
    const message = slackDigest(DIGEST);
    expect(message.text).toBe("Closeline weekly digest, 2026-12-07 (ACME-US)");
    expect(message.blocks.map((b) => b.type)).toEqual([
      "header",
      "section",
      "section",
      "section",
      "section",
      "context",
    ]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("ACME-US: NO-GO, 3 blockers");
    expect(text).toContain(
      "ERP first-pass success: 75.00% (off target; target ≥ 95.00%), −25.00 pp",
    );
    expect(text).toContain("First pass &lt;below&gt; 90 %");
    expect(text).not.toContain("<below>");
    expect(text).toContain("Not included: your role does not read this.");
  });

  it("is a Teams Adaptive Card with the same words and a button to the overview", () => {
    const card = teamsDigest(DIGEST).attachments[0]!.content;
    expect(card.type).toBe("AdaptiveCard");
    const words = card.body.map((b) => String(b.text)).join("\n");
    expect(words).toContain("Close readiness, November 2026");
    expect(words).toContain("[ACME-US: NO-GO, 3 blockers](https://closeline.test/close/a)");
    expect(card.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open the overview", url: DIGEST.url },
    ]);
  });

  it("is an e-mail whose text and HTML parts say the same, the HTML escaped", () => {
    const mail = digestEmail(DIGEST);
    expect(mail.subject).toBe("Closeline weekly digest, 2026-12-07 (ACME-US)");
    expect(mail.text).toContain("Alerts firing: 1");
    expect(mail.text).toContain(
      "[critical] First pass <below> 90 % (ACME-US), since 2026-12-06 10:00 UTC, acknowledged",
    );
    expect(mail.html).toContain("First pass &lt;below&gt; 90 %");
    expect(mail.html).not.toContain("<below>");
    expect(mail.html).toContain("Not included: your role does not read this.");
  });
});
