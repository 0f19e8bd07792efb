// GET /api/v1/openapi.json → the OpenAPI 3.1 document of REST v1 (public, no auth).
// It is generated from the shared zod schemas and is the same for every request,
// so it is rendered once at build time. This static segment takes precedence
// over the catch-all [...path] route.
import { buildOpenApiDocument } from "@relay/shared/openapi";

export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(buildOpenApiDocument());
}
