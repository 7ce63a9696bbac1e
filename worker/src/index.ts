// Worker entry: the HTTP app (static assets are served before it for non-API paths) and the
// tenant Durable Object class.
import { app } from "./app";

export { TenantHub } from "./tenant/hub";
export default app;
