// Building blocks of the OpenAPI document: request bodies and query parameters from the zod
// schemas that validate them, responses, the documented errors, the two ways to authenticate.
import { z } from "zod";
import { ERROR_STATUS } from "../../../schema/errors";

export const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });
export const body = (s: z.ZodType) => ({
  required: true,
  content: { "application/json": { schema: schema(s) } },
});
export const ok = (description: string, ref?: string) => ({
  description,
  content: {
    "application/json": {
      schema: ref ? { $ref: `#/components/schemas/${ref}` } : { type: "object" },
    },
  },
});
export const errors = (...codes: (keyof typeof ERROR_STATUS)[]) =>
  Object.fromEntries(
    [...new Set(codes.map((c) => ERROR_STATUS[c]))].map((status) => [
      String(status),
      {
        description: codes.filter((c) => ERROR_STATUS[c] === status).join(", "),
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    ]),
  );
export const queryParams = (s: z.ZodType) =>
  Object.entries(schema(s).properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    schema: property,
  }));
export const bot = [{ apiKey: [] }];
export const agent = [{ session: [] }];
export const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
