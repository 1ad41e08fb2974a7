import { describe, expect, it } from "vitest";
import { GROUP_WINDOW_CHOICES, channelFromForm } from "@/lib/alerts/channel-form";
import { createChannel } from "@/lib/alerts/channels";
import { ChannelDeliveryInput } from "@/lib/contract/alert-channels";
import { testDbForSuite } from "../support/db";
import { CONTEXT } from "./support";

/*
 * The channel form's fields become the API's body, so the page saves what the API would:
 * quiet hours only when ticked, a group window when one is chosen, Slack by webhook or bot.
 */

const t = testDbForSuite();

function form(fields: Record<string, string>, ticked: string[] = []) {
  return channelFromForm(
    (name) => fields[name] ?? "",
    (name) => ticked.includes(name),
  );
}

describe("the channel form", () => {
  it("offers only group windows the contract accepts", () => {
    for (const groupWindow of GROUP_WINDOW_CHOICES) {
      expect(ChannelDeliveryInput.safeParse({ groupWindow }).success).toBe(true);
    }
  });

  it("saves quiet hours and a group window set on the page", async () => {
    const body = form(
      {
        kind: "webhook",
        name: "Night shift",
        url: "https://hooks.example.test/n",
        quietStart: "22:00",
        quietEnd: "07:00",
        quietTimeZone: "Europe/Berlin",
        groupWindow: "PT5M",
      },
      ["quiet", "criticalBypass"],
    );
    const { channel } = await createChannel(t.db, body, CONTEXT);
    expect(channel).toMatchObject({
      quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Berlin", criticalBypass: true },
      groupWindow: "PT5M",
    });
  });

  it("sends no quiet hours unless ticked, and refuses wrong ones with the field named", async () => {
    const unticked = form(
      { kind: "webhook", name: "Day", url: "https://hooks.example.test/d", quietStart: "22:00" },
      [],
    );
    expect(unticked.quietHours).toBeNull();
    expect(unticked).not.toHaveProperty("groupWindow");
    const { channel } = await createChannel(t.db, unticked, CONTEXT);
    expect(channel).toMatchObject({ quietHours: null, groupWindow: null });

    const badZone = form(
      {
        kind: "webhook",
        name: "Bad zone",
        url: "https://hooks.example.test/z",
        quietStart: "22:00",
        quietEnd: "07:00",
        quietTimeZone: "Mars/Olympus",
      },
      ["quiet"],
    );
    await expect(createChannel(t.db, badZone, CONTEXT)).rejects.toThrow(
      /quietHours\.timeZone: must be an IANA time zone/,
    );
    const sameTimes = form(
      {
        kind: "webhook",
        name: "Same",
        url: "https://hooks.example.test/s",
        quietStart: "07:00",
        quietEnd: "07:00",
        quietTimeZone: "UTC",
      },
      ["quiet"],
    );
    await expect(createChannel(t.db, sameTimes, CONTEXT)).rejects.toThrow(
      /start and end must differ/,
    );
  });

  it("addresses Slack by incoming webhook or by bot token and channel id", async () => {
    expect(
      form({ kind: "slack", name: "#a", slackMode: "webhook", url: "https://hooks.slack.com/x" }),
    ).toMatchObject({ url: "https://hooks.slack.com/x" });
    const bot = form({
      kind: "slack",
      name: "#b",
      slackMode: "bot",
      botToken: "xoxb-1-2-form",
      slackChannel: " C0FORM0001 ",
      url: "ignored",
    });
    expect(bot).toMatchObject({ botToken: "xoxb-1-2-form", slackChannel: "C0FORM0001" });
    expect(bot).not.toHaveProperty("url");
    const { channel } = await createChannel(t.db, bot, CONTEXT);
    expect(channel.config).toEqual({ slackChannel: "C0FORM0001", apiUrl: "https://slack.com/api" });
  });
});
