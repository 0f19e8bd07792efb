// Path parameters of the REST routes (ids are uuids; anything else is INVALID_PAYLOAD).
import { ZIdSchema } from "@relay/shared/schemas";
import { z } from "zod";

export const ZIdParamsSchema = z.object({ id: ZIdSchema });
export const ZMemberParamsSchema = z.object({ id: ZIdSchema, userId: ZIdSchema });
