// The texts a contact sees at each step, from the bot's settings with placeholders filled in.
export const DEFAULT_MESSAGES = {
  handoff_message: "One moment — a person from our team will take over shortly.",
  accept_message: "Hello, this is {agent_name} from {org_name}. How can I help?",
  resolve_message: "Thanks for your patience — the assistant is back with you now.",
  expiry_message:
    "Sorry, nobody from {org_name} is free right now. The assistant is back with you.",
} as const;

export const DEFAULT_MAX_WAIT_MINUTES = 30;
export const DEFAULT_REMINDER_DELAY_SECONDS = 180;
