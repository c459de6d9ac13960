import { RemoteError } from '../../lib/messaging/protocol';

/** A sentence for the user from anything a promise rejected with. */
export function errorMessage(e: unknown): string {
  if (e instanceof RemoteError) {
    if (e.kind === 'invalid_reply')
      return 'The extension’s background did not answer. Try reopening this page.';
    return e.message;
  }
  if (e instanceof Error && e.message) return e.message;
  return 'Something went wrong.';
}
