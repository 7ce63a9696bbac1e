// The OpenAPI paths of a bot's webhooks for its admins: the recent deliveries, sending one again,
// and a signed test event (routes/bot-deliveries.ts).
import { agent, errors, idParam, ok } from "./openapi-helpers";

const deliveryParams = [
  ...idParam,
  { name: "delivery_id", in: "path", required: true, schema: { type: "string" } },
];

export function botDeliveryPaths() {
  return {
    "/api/admin/bots/{id}/deliveries": {
      get: {
        summary:
          "The bot's recent webhooks, newest first, at most 50 (admins and viewers): {deliveries: [{id, type, handoff_id, status: pending|delivered|failed, attempts, last_status_code, last_error, created_at, delivered_at, next_attempt_at}]}",
        security: agent,
        parameters: idParam,
        responses: { 200: ok("{deliveries}"), ...errors("unauthorized", "forbidden", "not_found") },
      },
    },
    "/api/admin/bots/{id}/deliveries/{delivery_id}/redeliver": {
      post: {
        summary:
          "Send a webhook again with the same body and webhook-id (admins): a failed one is pending again with its attempts reset, a delivered one gets one more attempt, a pending one is tried now; it goes out after its conversation's webhooks still pending",
        security: agent,
        parameters: deliveryParams,
        responses: {
          202: ok("{delivery}"),
          ...errors("invalid_request", "unauthorized", "forbidden", "not_found"),
        },
      },
    },
    "/api/admin/bots/{id}/test-event": {
      post: {
        summary:
          'Queue a signed {"type": "webhook.test", "timestamp", "data": {"bot": {id, name}}} to the bot\'s webhook_url (admins); 400 invalid_request when it has none. It holds back no conversation\'s webhooks',
        security: agent,
        parameters: idParam,
        responses: {
          202: ok("{delivery}"),
          ...errors("invalid_request", "unauthorized", "forbidden", "not_found"),
        },
      },
    },
  };
}
