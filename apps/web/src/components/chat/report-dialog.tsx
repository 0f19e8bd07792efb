"use client";

import { useEffect, useRef, useState } from "react";
import { LIMITS } from "@relay/shared/limits";
import type { TReportCategory } from "@relay/shared/schemas";
import { Button, FormError } from "@relay/ui";
import { rest } from "@/client/rest";

const CATEGORIES: Array<[TReportCategory, string]> = [
  ["SPAM", "Spam or scam"],
  ["HARASSMENT", "Harassment or bullying"],
  ["HATE", "Hate speech"],
  ["SEXUAL", "Sexual content"],
  ["VIOLENCE", "Violence or threats"],
  ["SELF_HARM", "Self-harm"],
  ["OTHER", "Something else"],
];

/** Reports one message to the moderators; the answer is only "received". */
export function ReportDialog({
  conversationId,
  messageId,
  onClose,
}: {
  conversationId: string;
  messageId: string;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [category, setCategory] = useState<TReportCategory>("SPAM");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  useEffect(() => {
    ref.current?.showModal();
  }, []);

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      await rest.report({ conversationId, messageId, category, reason: reason.trim() });
      setSent(true);
    } catch (err) {
      setError(err instanceof Error ? err.message : "could not send the report");
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="report-title">
      <h2 id="report-title">Report message</h2>
      {sent ? (
        <>
          <p role="status">Report received. Moderators will review it.</p>
          <div className="dialog__actions">
            <Button onClick={() => ref.current?.close()}>Close</Button>
          </div>
        </>
      ) : (
        <form
          className="report"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <div className="rl-field">
            <label className="rl-field__label" htmlFor="report-category">
              Reason
            </label>
            <select
              id="report-category"
              className="rl-field__input"
              value={category}
              onChange={(e) => setCategory(e.target.value as TReportCategory)}
            >
              {CATEGORIES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="rl-field">
            <label className="rl-field__label" htmlFor="report-details">
              Details
            </label>
            <textarea
              id="report-details"
              className="rl-field__input"
              rows={3}
              maxLength={LIMITS.reportReasonMaxChars}
              placeholder="Optional: what should the moderators know?"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <FormError message={error} />
          <div className="dialog__actions">
            <Button type="button" variant="ghost" onClick={() => ref.current?.close()}>
              Cancel
            </Button>
            <Button type="submit" disabled={busy}>
              {busy ? "Sending…" : "Send report"}
            </Button>
          </div>
        </form>
      )}
    </dialog>
  );
}
