/*
 * The channel form's fields and how they become the API's JSON body, so the page and
 * POST /api/v1/alert-channels are validated by one contract (AlertChannelInput and
 * ChannelDeliveryInput). Client components import this file: plain data and functions only.
 */

/** The group windows the form offers; the API takes any from PT1S to PT1H. */
export const GROUP_WINDOW_CHOICES = ["PT30S", "PT1M", "PT2M", "PT5M", "PT10M", "PT30M", "PT1H"];

export const GROUP_WINDOW_LABELS: Record<string, string> = {
  PT30S: "30 seconds",
  PT1M: "1 minute",
  PT2M: "2 minutes",
  PT5M: "5 minutes",
  PT10M: "10 minutes",
  PT30M: "30 minutes",
  PT1H: "1 hour",
};

/** How a Slack channel is addressed on the form. */
export const SLACK_MODES = ["webhook", "bot"] as const;

/** Recipients as a person types them: separated by commas, semicolons, spaces or lines. */
export function parseRecipientList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter(Boolean);
}

function addressFromForm(kind: string, get: (name: string) => string): Record<string, unknown> {
  const optional = (name: string) => {
    const value = get(name).trim();
    return value ? { [name]: value } : {};
  };
  switch (kind) {
    case "email":
      return { to: parseRecipientList(get("to")) };
    case "pagerduty":
      return { routingKey: get("routingKey"), ...optional("eventsUrl") };
    case "slack":
      return get("slackMode") === "bot"
        ? {
            botToken: get("botToken"),
            slackChannel: get("slackChannel").trim(),
            ...optional("apiUrl"),
          }
        : { url: get("url") };
    default:
      return { url: get("url") };
  }
}

/**
 * The channel the form describes. Quiet hours are sent only when their box is ticked (then
 * start, end and time zone are all required by the contract); an empty group window is none.
 */
export function channelFromForm(
  get: (name: string) => string,
  checked: (name: string) => boolean,
): Record<string, unknown> {
  const kind = get("kind");
  const groupWindow = get("groupWindow").trim();
  return {
    kind,
    name: get("name"),
    ...addressFromForm(kind, get),
    quietHours: checked("quiet")
      ? {
          start: get("quietStart"),
          end: get("quietEnd"),
          timeZone: get("quietTimeZone").trim(),
          criticalBypass: checked("criticalBypass"),
        }
      : null,
    ...(groupWindow ? { groupWindow } : {}),
  };
}
