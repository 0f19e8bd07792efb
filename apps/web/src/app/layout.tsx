import "@relay/ui/styles.css";
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import "./app.css";

export const metadata: Metadata = { title: "Relay", description: "Real-time chat and presence" };
export const viewport: Viewport = { width: "device-width", initialScale: 1 };
/**
 * Every page renders per request: the CSP set by src/proxy.ts carries a fresh
 * script nonce, which Next.js can only put on scripts it renders now.
 */
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
