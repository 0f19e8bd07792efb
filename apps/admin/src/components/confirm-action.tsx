"use client";
// A destructive action behind a confirmation: the button opens a <dialog>
// that says what will happen, asks for the reason (kept in the audit log) and
// any extra fields, and only "Confirm" posts to the server action.
import { useActionState, useId, useRef, type ReactNode } from "react";
import { LIMITS } from "@relay/shared/limits";
import { Button, FormError } from "@relay/ui";
import { IDLE, type TActionState } from "@/server/action-state";
import { useFlash } from "./flash";

type TVariant = "primary" | "secondary" | "ghost" | "danger";

export function ConfirmAction({
  action,
  label,
  title,
  description,
  confirmLabel,
  hidden,
  children,
  after,
  variant = "secondary",
  confirmVariant = "danger",
  disabled,
  disabledReason,
  reasonLabel = "Reason",
  reasonPlaceholder,
}: {
  action: (prev: TActionState, form: FormData) => Promise<TActionState>;
  label: string;
  title: string;
  description?: ReactNode;
  confirmLabel: string;
  hidden: Record<string, string>;
  /** Fields before the reason (what the action needs). */
  children?: ReactNode;
  /** Optional fields after the reason (e.g. an internal note). */
  after?: ReactNode;
  variant?: TVariant;
  confirmVariant?: TVariant;
  disabled?: boolean;
  disabledReason?: string;
  reasonLabel?: string;
  reasonPlaceholder?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const flash = useFlash();
  // The result is announced by the layout's flash line, not here: the item
  // acted on may be gone from the re-rendered page (a resolved report).
  const [state, formAction, pending] = useActionState(
    async (prev: TActionState, form: FormData) => {
      const result = await action(prev, form);
      if (result.status === "ok") {
        dialog.current?.close();
        flash("ok", result.message);
      }
      return result;
    },
    IDLE,
  );

  return (
    <>
      <Button
        variant={variant}
        disabled={disabled}
        title={disabled ? disabledReason : undefined}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </Button>
      <dialog ref={dialog} className="dialog" aria-labelledby={`${id}-title`}>
        <form action={formAction} className="dialog__form">
          <h2 className="dialog__title" id={`${id}-title`}>
            {title}
          </h2>
          {description ? <div className="dialog__text">{description}</div> : null}
          {Object.entries(hidden).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {children}
          <label className="field field--wide">
            <span className="field__label">{reasonLabel}</span>
            <textarea
              name="reason"
              required
              maxLength={LIMITS.moderationReasonMaxChars}
              rows={3}
              placeholder={reasonPlaceholder ?? "Why? This is kept in the audit log."}
            />
          </label>
          {after}
          {state.status === "error" ? <FormError message={state.message} /> : null}
          <div className="dialog__buttons">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
            <Button type="submit" variant={confirmVariant} disabled={pending}>
              {pending ? "Working…" : confirmLabel}
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
