import type { Json } from "./api";

// The documented error codes and the HTTP status each one carries.
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_assignee: 403,
  not_found: 404,
  already_claimed: 409,
  invalid_state: 409,
  payload_too_large: 413,
  rate_limited: 429,
  provider_error: 502,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  [extra: string]: Json | undefined;
}
