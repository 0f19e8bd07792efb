import { useId, type InputHTMLAttributes } from "react";
import { FormError } from "./form-error";

/** A labelled input with an optional error, wired for screen readers. */
export function TextField({
  label,
  error,
  hint,
  ...props
}: InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  error?: string | null;
  hint?: string;
}) {
  const id = useId();
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="rl-field">
      <label htmlFor={id} className="rl-field__label">
        {label}
      </label>
      <input
        id={id}
        className="rl-field__input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...props}
      />
      {error ? (
        <FormError id={`${id}-error`} message={error} />
      ) : hint ? (
        <p id={`${id}-hint`} className="rl-field__hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
