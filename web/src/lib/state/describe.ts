// What a failed command or request tells the agent.
import { ApiFailure } from "../api/client";

export function describe(error: unknown): string {
  if (error instanceof ApiFailure) {
    if (error.code === "already_claimed") {
      const assignee = error.body.assignee as { name?: string } | undefined;
      return `Claimed by ${assignee?.name ?? "someone else"}`;
    }
    return error.message;
  }
  return "Something went wrong. Try again.";
}
