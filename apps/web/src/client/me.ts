import type { TUserRole } from "@relay/shared/schemas";

/** The signed-in person, as the chat UI knows them (from the next-auth session). */
export interface TMe {
  id: string;
  name: string;
  email: string;
  role: TUserRole;
}
