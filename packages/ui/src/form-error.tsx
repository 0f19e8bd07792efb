/**
 * The error of a form or field, announced by screen readers (role="alert");
 * renders nothing when there is no message. `inline` keeps it on the line of
 * the control it belongs to.
 */
export function FormError({
  message,
  id,
  inline = false,
}: {
  message: string | null | undefined;
  id?: string;
  inline?: boolean;
}) {
  if (!message) return null;
  const Tag = inline ? "span" : "p";
  return (
    <Tag id={id} className="rl-field__error" role="alert">
      {message}
    </Tag>
  );
}
