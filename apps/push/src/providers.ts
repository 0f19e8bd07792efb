// Provider configuration from the env: real credentials, a local stand-in, or
// nothing (that platform is disabled, which index.ts logs at start).
import { readFileSync } from "node:fs";
import type { Logger } from "@relay/core";
import {
  createApnsProvider,
  createFcmProvider,
  type ApnsConfig,
  type FcmConfig,
  type PushProvider,
  type TPushPlatform,
  type TStandinEndpoint,
} from "@relay/core/push-worker";
import type { TPushEnv } from "./env";

function endpoint(hostPort: string, caPem: string): TStandinEndpoint {
  const i = hostPort.lastIndexOf(":");
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)), caPem };
}

export function fcmConfig(env: TPushEnv): FcmConfig | null {
  const ca = env.PUSH_STANDIN_CA_FILE ? readFileSync(env.PUSH_STANDIN_CA_FILE, "utf8") : "";
  if (env.PUSH_FCM_STANDIN)
    return {
      projectId: env.PUSH_FCM_PROJECT_ID!,
      standin: { ...endpoint(env.PUSH_FCM_STANDIN, ca), accessToken: env.PUSH_FCM_STANDIN_TOKEN! },
    };
  if (!env.PUSH_FCM_SERVICE_ACCOUNT) return null;
  return {
    serviceAccountPath: env.PUSH_FCM_SERVICE_ACCOUNT,
    ...(env.PUSH_FCM_PROJECT_ID ? { projectId: env.PUSH_FCM_PROJECT_ID } : {}),
  };
}

export function apnsConfig(env: TPushEnv): ApnsConfig | null {
  if (!env.PUSH_APNS_KEY_FILE) return null;
  const ca = env.PUSH_STANDIN_CA_FILE ? readFileSync(env.PUSH_STANDIN_CA_FILE, "utf8") : "";
  return {
    teamId: env.PUSH_APNS_TEAM_ID!,
    keyId: env.PUSH_APNS_KEY_ID!,
    signingKey: readFileSync(env.PUSH_APNS_KEY_FILE, "utf8"),
    topic: env.PUSH_APNS_TOPIC!,
    production: env.PUSH_APNS_PRODUCTION,
    ...(env.PUSH_APNS_STANDIN ? { standin: endpoint(env.PUSH_APNS_STANDIN, ca) } : {}),
  };
}

export function createProviders(
  env: TPushEnv,
  logger: Logger,
): Record<TPushPlatform, PushProvider> {
  const fcm = fcmConfig(env);
  const apns = apnsConfig(env);
  const providers = { fcm: createFcmProvider(fcm, logger), apns: createApnsProvider(apns) };
  const how = (standin: boolean) => (standin ? "local stand-in" : "production credentials");
  if (fcm) logger.info({ target: how(!!fcm.standin), project: fcm.projectId }, "push: FCM enabled");
  else
    logger.warn(
      "push: FCM DISABLED (no PUSH_FCM_SERVICE_ACCOUNT): FCM pushes go to the dead-letter queue until configured (npm run push:dlq -- replay)",
    );
  if (apns)
    logger.info(
      { target: how(!!apns.standin), topic: apns.topic, production: apns.production },
      "push: APNs enabled",
    );
  else
    logger.warn(
      "push: APNs DISABLED (no PUSH_APNS_KEY_FILE/KEY_ID/TEAM_ID/TOPIC): APNs pushes go to the dead-letter queue until configured (npm run push:dlq -- replay)",
    );
  return providers;
}
