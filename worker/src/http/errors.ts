// Domain errors thrown in routes and turned into the documented error JSON by app.onError.
import { ERROR_STATUS, type ApiErrorBody, type ErrorCode } from "../../../schema/errors";

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }

  static from(body: ApiErrorBody): ApiError {
    const { code, message, ...extra } = body;
    return new ApiError(code, message, extra);
  }

  toJSON(): { error: ApiErrorBody } {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export const notFound = (what = "Not found.") => new ApiError("not_found", what);
