// Any other /api/v1/* path: the contract's error body instead of Next's HTML 404.
import { fail } from "@relay/shared/errors";

export const dynamic = "force-dynamic";

function notFound(): Response {
  return Response.json(fail("NOT_FOUND", "no such API route"), {
    status: 404,
    headers: { "cache-control": "no-store" },
  });
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
