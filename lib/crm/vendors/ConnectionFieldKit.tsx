import { useId, useState } from 'react';
import type { z } from 'zod';
import type { ReadConnection } from './CrmVendorFieldsProps';

/**
 * What the vendors' options fields share (views only): the field-problem line, the token
 * input with Show/Hide, and reading a branch's zod problems as field messages.
 */

/** The problem under a field, tied to it by `aria-describedby`. */
export function FieldProblemText({ id, message }: { id: string; message: string | null }) {
  return message ? (
    <p id={id} className="field-error">
      {message}
    </p>
  ) : null;
}

/** The `aria-*` of an input with a possible problem. */
export function problemProps(message: string | null, problemId: string) {
  return { 'aria-invalid': message !== null, 'aria-describedby': message ? problemId : undefined };
}

/** A secret token input, hidden unless the rep shows it. */
export function TokenField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  problem: string | null;
}) {
  const id = useId();
  const problemId = useId();
  const [visible, setVisible] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="inline">
        <input
          id={id}
          type={visible ? 'text' : 'password'}
          autoComplete="off"
          spellCheck={false}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          {...problemProps(props.problem, problemId)}
        />
        <button type="button" aria-pressed={visible} aria-controls={id} onClick={() => setVisible((v) => !v)}>
          {visible ? 'Hide token' : 'Show token'}
        </button>
      </div>
      <FieldProblemText id={problemId} message={props.problem} />
    </div>
  );
}

/**
 * Parses the fields' input with the vendor's branch; the first problem becomes a field
 * message: the vendor's wording for that field, the schema's own for a custom rule
 * (an address's), else the general one.
 */
export function readWithSchema<S extends z.ZodType>(
  schema: S,
  input: unknown,
  messages: Record<string, string>,
): ReadConnection<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, crm: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? 'baseUrl');
  return {
    ok: false,
    field,
    message:
      messages[field] ??
      (issue.code === 'custom'
        ? issue.message
        : 'Enter the CRM’s full address, such as https://crm.example.com.'),
  };
}

/** Token too long: the one problem a token field can have. */
export const TOKEN_TOO_LONG = 'The token is too long (4096 characters at most).';
