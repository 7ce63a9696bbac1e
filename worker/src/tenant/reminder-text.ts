// The words of a reminder email: which contact, how long they have waited, where to answer.

export interface ReminderText {
  subject: string;
  text: string;
}

/** "45 s", "3 min", "2 h 5 min". */
export function waitedFor(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

/** A header value on one line: a contact's name is theirs to choose, newlines included. */
const oneLine = (value: string, max: number) => {
  const flat = value.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function reminderText(input: {
  contact: string;
  waitingSeconds: number;
  link: string;
  orgName: string;
}): ReminderText {
  const contact = oneLine(input.contact, 80) || "A contact";
  const waited = waitedFor(input.waitingSeconds);
  const subject = `${contact} has waited ${waited} for an agent`;
  const text = [
    `${contact} has been waiting ${waited} for an agent${input.orgName ? ` at ${oneLine(input.orgName, 80)}` : ""}, and nobody has claimed the conversation yet.`,
    "",
    `Open it: ${input.link}`,
    "",
    "You get this email because email reminders are on for your team (Settings).",
  ].join("\n");
  return { subject, text };
}
