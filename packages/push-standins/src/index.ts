// @relay/push-standins: local FCM and APNs endpoints that the real client
// libraries (firebase-admin, apns2) talk to, for tests, benchmarks and
// `npm run push:standins`.
import { startApnsStandin, type ApnsStandin } from "./apns";
import { startFcmStandin, type FcmStandin } from "./fcm";
import { createTestPki, type TestPki } from "./pki";

export * from "./apns";
export * from "./fcm";
export * from "./pki";
export * from "./recorder";

export interface PushStandins {
  pki: TestPki;
  fcm: FcmStandin;
  apns: ApnsStandin;
  /** The push worker's env for these stand-ins (apps/push/src/env.ts). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startPushStandins(
  opts: {
    dir?: string;
    reuse?: boolean;
    fcmPort?: number;
    apnsPort?: number;
    logFile?: string;
    /** The bearer token the FCM stand-in expects (default: a new random one). */
    fcmAccessToken?: string;
  } = {},
): Promise<PushStandins> {
  const pki = await createTestPki({
    ...(opts.dir ? { dir: opts.dir } : {}),
    ...(opts.reuse ? { reuse: true } : {}),
  });
  const log = opts.logFile ? { logFile: opts.logFile } : {};
  const fcm = await startFcmStandin({
    pki,
    ...(opts.fcmPort ? { port: opts.fcmPort } : {}),
    ...(opts.fcmAccessToken ? { accessToken: opts.fcmAccessToken } : {}),
    ...log,
  });
  const apns = await startApnsStandin({
    pki,
    ...(opts.apnsPort ? { port: opts.apnsPort } : {}),
    ...log,
  });
  return {
    pki,
    fcm,
    apns,
    env: {
      PUSH_STANDIN_CA_FILE: pki.caFile,
      PUSH_FCM_PROJECT_ID: fcm.projectId,
      PUSH_FCM_STANDIN: `127.0.0.1:${fcm.port}`,
      PUSH_FCM_STANDIN_TOKEN: fcm.accessToken,
      PUSH_APNS_KEY_FILE: pki.apnsKeyFile,
      PUSH_APNS_KEY_ID: apns.keyId,
      PUSH_APNS_TEAM_ID: apns.teamId,
      PUSH_APNS_TOPIC: apns.topic,
      PUSH_APNS_PRODUCTION: "false",
      PUSH_APNS_STANDIN: `127.0.0.1:${apns.port}`,
    },
    async close() {
      await Promise.all([fcm.close(), apns.close()]);
    },
  };
}
