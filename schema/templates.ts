// The placeholders of a bot's texts and how they are filled: one implementation, for the tenant
// object that sends the texts and for the settings page that previews them.
export const TEMPLATE_PLACEHOLDERS = ["agent_name", "org_name"] as const;

export function fillTemplate(
  template: string,
  values: { agent_name?: string; org_name: string },
): string {
  return template.replace(
    /\{(agent_name|org_name)\}/g,
    (_, key: "agent_name" | "org_name") => values[key] ?? "",
  );
}
