// The answers tests read, typed with the project's own shapes (api.md), so a test that reads a
// field the contract does not have fails to compile.
import type { ApiErrorBody } from "../../schema/errors";
import type { TenantSettings } from "../../schema/settings";
import type {
  Handoff,
  HandoffStatus,
  HandoffWithMetadata,
  Message,
  Outcome,
  Person,
  Stats,
  Tenant,
  User,
} from "../../schema/shapes";
import type { SyncFailure } from "../../schema/sync-failures";
import type { AgentRecord } from "../../worker/src/db/accounts";
import type { ApiKeyRecord } from "../../worker/src/db/bots";
import type { ContactMessageResult, EscalateResult } from "../../worker/src/tenant/lifecycle";
import type { HandoffDetail, ListPage } from "../../worker/src/tenant/queries";
import type { BotSettings } from "../../worker/src/tenant/types";

export type { ContactMessageResult, EscalateResult, HandoffDetail, ListPage, Stats };

export interface HandoffAnswer {
  handoff: Handoff;
}
export interface MessageAnswer {
  message: Message;
}
/** A bot as the admin API shows it: its settings without the secret. */
export type PublicBot = Omit<BotSettings, "webhook_secret">;
export interface BotAnswer {
  bot: PublicBot;
  webhook_secret?: string;
}
export interface AgentAnswer {
  agent: AgentRecord;
}
export interface ApiKeyAnswer {
  key: string;
  api_key: ApiKeyRecord;
}

/** One problem with a request, as `400 invalid_request` lists them. */
export interface Issue {
  path: string;
  message: string;
}
/** The documented extras some errors carry: `issues`, the `status` of `invalid_state`, the `assignee` of `already_claimed`. */
export type ApiError = ApiErrorBody & {
  issues?: Issue[];
  status?: HandoffStatus;
  assignee?: Person;
};
export interface ErrorAnswer {
  error: ApiError;
}

/** The webhook payloads the bot receives (api.md "Outbound webhooks"). */
export type WebhookPayload =
  | {
      type: "handoff.claimed";
      data: { handoff: HandoffWithMetadata; agent: Person; message: { text: string } };
    }
  | {
      type: "message.created";
      data: { handoff: HandoffWithMetadata; message: { id: string; text: string; agent: Person } };
    }
  | {
      type: "handoff.resolved";
      data: { handoff: HandoffWithMetadata; outcome: Outcome; message: { text: string } };
    }
  | { type: "handoff.expired"; data: { handoff: HandoffWithMetadata; message: { text: string } } };
export type WebhookEvent = WebhookPayload & { timestamp: string };

export interface ContactMessageBatch {
  results: ContactMessageResult[];
}
export interface HandoffList {
  handoffs: Handoff[];
}
export interface Me {
  user: User;
  tenant: Tenant;
}
export interface AgentList {
  agents: AgentRecord[];
}
export interface BotList {
  bots: PublicBot[];
}
export interface ApiKeyList {
  api_keys: ApiKeyRecord[];
}
export interface RevokedKey {
  api_key: ApiKeyRecord;
}
export interface SettingsAnswer {
  settings: TenantSettings;
}
export interface SyncFailureList {
  failures: SyncFailure[];
}
/** The bot's read of one handoff: with its metadata. */
export interface BotHandoffAnswer {
  handoff: HandoffWithMetadata;
}
/** A contact message that went to the agent holding the conversation (202). */
export type RoutedToAgent = Extract<ContactMessageResult, { route: "agent" }>;

/** The parts of the OpenAPI document the tests read. */
export interface OpenApiSchema {
  type?: string | string[];
  $ref?: string;
  description?: string;
  enum?: string[];
  required?: string[];
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  oneOf?: OpenApiSchema[];
  additionalProperties?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}
export interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: OpenApiSchema;
}
export interface OpenApiOperation {
  description?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
  responses?: Record<string, OpenApiResponse>;
}
export interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema: OpenApiSchema }>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, OpenApiSchema>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
}
/** A claim's answer when the status is not known in advance: the handoff (200) or the error. */
export interface ClaimAnswer {
  handoff?: Handoff;
  message?: Message;
  error?: ApiError;
}
