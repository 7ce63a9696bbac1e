// The OpenAPI paths of the website widget (api.md "Website widget"): called from the pages of a
// web channel's allowed origins (Origin checked, CORS), with a visitor token after the session.
import { widgetMessageInput, widgetRatingInput, widgetSessionInput } from "../../../schema/widget";
import { body, errors, ok } from "./openapi-helpers";

const visitor = [{ visitorToken: [] }];
const ORIGIN_NOTE =
  " The Origin header must be one of the channel's allowed_origins (403 otherwise, also when missing); answers carry Access-Control-Allow-Origin.";

export const visitorTokenScheme = {
  type: "http",
  scheme: "bearer",
  description: "A website visitor's token (wv_…), from POST /api/widget/sessions",
};

export const widgetSchemas = {
  WidgetMessage: {
    type: "object",
    required: ["id", "from", "text", "at", "agent"],
    properties: {
      id: { type: "string" },
      from: { type: "string", enum: ["contact", "bot", "agent", "system"] },
      text: { type: "string" },
      at: { type: "string", format: "date-time" },
      agent: {
        type: ["object", "null"],
        properties: { name: { type: "string" } },
        description: "The agent's name only (agent messages)",
      },
    },
  },
  WidgetHandoff: {
    type: "object",
    required: ["id", "status", "queue", "agent", "rating"],
    properties: {
      id: { type: "string" },
      status: { type: "string", enum: ["queued", "active", "resolved", "expired"] },
      queue: { oneOf: [{ $ref: "#/components/schemas/QueuePlace" }, { type: "null" }] },
      agent: { type: ["object", "null"], properties: { name: { type: "string" } } },
      rating: { type: ["string", "null"], enum: ["up", "down", null] },
    },
  },
};

export function widgetPaths() {
  return {
    "/api/widget/config": {
      get: {
        summary: `The widget's look: {channel: {id, name, accent_color, greeting}}.${ORIGIN_NOTE}`,
        parameters: [
          { name: "channel_id", in: "query", required: true, schema: { type: "string" } },
        ],
        responses: { 200: ok("{channel}"), ...errors("forbidden", "not_found") },
      },
    },
    "/api/widget/sessions": {
      post: {
        summary: `A new visitor: {visitor_token, conversation_id}.${ORIGIN_NOTE}`,
        requestBody: body(widgetSessionInput),
        responses: {
          201: ok("{visitor_token, conversation_id}"),
          ...errors("invalid_request", "forbidden", "not_found", "rate_limited"),
        },
      },
    },
    "/api/widget/messages": {
      post: {
        summary: `The visitor writes; routed like any channel message (limited per visitor and per address).${ORIGIN_NOTE}`,
        security: visitor,
        requestBody: body(widgetMessageInput),
        responses: {
          201: ok("{message: WidgetMessage}"),
          ...errors("invalid_request", "unauthorized", "forbidden", "rate_limited"),
        },
      },
    },
    "/api/widget/conversation": {
      get: {
        summary: `The visitor's own conversation: {conversation_id, messages (last 200), handoff, seq}.${ORIGIN_NOTE}`,
        security: visitor,
        responses: {
          200: ok(
            "{conversation_id, messages: [WidgetMessage], handoff: WidgetHandoff | null, seq}",
          ),
          ...errors("unauthorized", "forbidden"),
        },
      },
    },
    "/api/widget/rating": {
      post: {
        summary: `Thumbs up or down for a resolved handoff of the visitor's conversation.${ORIGIN_NOTE}`,
        security: visitor,
        requestBody: body(widgetRatingInput),
        responses: {
          200: ok("{ok: true}"),
          ...errors("invalid_request", "unauthorized", "forbidden", "not_found", "invalid_state"),
        },
      },
    },
    "/api/widget/ws": {
      get: {
        summary:
          "The visitor's WebSocket (?token=<visitor_token>, Origin checked): hello {seq, data: {conversation_id}}, numbered message.created and handoff.updated, unnumbered typing {handoff_id, from: agent, name}; send {type: resume, since} and {type: typing}",
        parameters: [{ name: "token", in: "query", required: true, schema: { type: "string" } }],
        responses: {
          101: { description: "Switching protocols" },
          ...errors("invalid_request", "unauthorized", "forbidden"),
        },
      },
    },
  };
}
