import QRCode from "qrcode";
import { newTotpEnrollment } from "@relay/core";
import { fmtDateTime } from "@/components/format";
import { TotpConfirmForm } from "@/components/totp-confirm-form";
import { PageHeader, RoleTag, Section } from "@/components/ui";
import { loadEnv } from "@/env";
import { requireStaff } from "@/server/staff";

export const dynamic = "force-dynamic";
export const metadata = { title: "Two-factor sign-in" };

export default async function TwoFactorPage() {
  const staff = await requireStaff("MODERATOR", { allowEnrollment: true });
  const { user } = staff;
  const required = loadEnv().ADMIN_REQUIRE_2FA && staff.role === "ADMIN";
  if (user.totpEnabledAt) {
    return (
      <>
        <PageHeader
          title="Your account"
          lead={
            <>
              {user.email} · <RoleTag role={staff.role} />
            </>
          }
        />
        <Section title="Two-factor sign-in" id="totp">
          <p data-testid="totp-status">
            <span className="tag tag--ok">on</span> since {fmtDateTime(user.totpEnabledAt)}. Every
            sign-in asks for the code from your authenticator app.
          </p>
        </Section>
      </>
    );
  }
  // A fresh secret per visit; it only counts once confirmed with a code from it.
  const { secret, uri } = newTotpEnrollment(user.email);
  const svg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  const qr = `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
  return (
    <>
      <PageHeader
        title="Your account"
        lead={
          <>
            {user.email} · <RoleTag role={staff.role} />
          </>
        }
      />
      {required ? (
        <p className="note note--warn" role="status">
          Admins must use two-factor sign-in here. Set it up to continue to the console.
        </p>
      ) : null}
      <Section title="Set up two-factor sign-in" id="totp">
        <ol className="steps">
          <li>
            Scan this code with an authenticator app (1Password, Google Authenticator, Aegis…), or
            type the key in by hand.
            <div className="totp">
              <img
                src={qr}
                alt="QR code to add Relay admin to an authenticator app"
                width={200}
                height={200}
                className="totp__qr"
              />
              <dl className="facts">
                <dt>Key</dt>
                <dd className="mono break" data-testid="totp-secret">
                  {secret.match(/.{1,4}/g)?.join(" ")}
                </dd>
                <dt>URI</dt>
                <dd className="mono break small">{uri}</dd>
              </dl>
            </div>
          </li>
          <li>
            Enter the 6-digit code the app shows to confirm.
            <TotpConfirmForm secret={secret} />
          </li>
        </ol>
      </Section>
    </>
  );
}
