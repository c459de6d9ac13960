import { RemoteError } from '../../lib/messaging/protocol';
import { errorMessage } from '../shared/errorMessage';
import { SettingsValidationError } from './SettingsValidationError';

interface IssueLike {
  path?: unknown;
  message?: unknown;
}

/**
 * A readable sentence for a failed save. The background may pass a ZodError's message
 * through, which in zod 4 is the JSON of its issues; those are turned back into
 * "field: problem" lines instead of showing JSON to the user.
 */
export function describeSaveError(e: unknown): string {
  if (e instanceof SettingsValidationError) return e.message;
  if (e instanceof RemoteError && (e.kind === 'invalid_settings' || e.kind === 'invalid_message')) {
    return `Not saved: ${readableIssues(e.message) ?? e.message}`;
  }
  return `Not saved: ${errorMessage(e)}`;
}

function readableIssues(message: string): string | null {
  const jsonStart = message.indexOf('[');
  if (jsonStart === -1) return null;
  try {
    const parsed: unknown = JSON.parse(message.slice(jsonStart));
    if (!Array.isArray(parsed) || parsed.length === 0) return null;
    return (parsed as IssueLike[])
      .map((issue) => {
        const path = Array.isArray(issue.path) ? issue.path.join('.') : '';
        const text = typeof issue.message === 'string' ? issue.message : 'invalid';
        return path ? `${path}: ${text}` : text;
      })
      .join('; ');
  } catch {
    return null;
  }
}
