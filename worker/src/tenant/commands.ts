// One entry point for agents' commands, whether they came over HTTP (RPC) or the socket.
import type { AgentAction, CommandData } from "../../../schema/realtime";
import type { Person } from "../../../schema/shapes";
import type { TenantCore } from "./core";
import { assign, claim, release, reply, resolve } from "./lifecycle";
import type { Actor, Result } from "./types";

export type Command = AgentAction | { type: "assign"; handoff_id: string; agent: Person };

export function runCommand(
  core: TenantCore,
  actor: Actor,
  command: Command,
  now: number,
): Result<CommandData> {
  switch (command.type) {
    case "claim":
      return claim(core, actor, command.handoff_id, now);
    case "release":
      return release(core, actor, command.handoff_id, now);
    case "reply":
      return reply(core, actor, command.handoff_id, command.text, now, command.client_id);
    case "resolve":
      return resolve(
        core,
        actor,
        command.handoff_id,
        { outcome: command.outcome, note: command.note },
        now,
      );
    case "assign":
      return assign(core, actor, command.handoff_id, command.agent, now);
  }
}
