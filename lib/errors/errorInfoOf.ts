import { z } from 'zod';
import { type ErrorInfo, type ErrorSource, ExtensionError, issuesOf, RemoteError } from './ErrorInfo';

/**
 * The mapping of the failures every context raises: a background answer (`RemoteError`),
 * the extension's own `ExtensionError`, a zod parse. Shared code (the panel, the options
 * page, describeError) uses this; the background maps its services' errors (CRM, provider,
 * OAuth, IndexedDB) with `toErrorInfo`, which falls back to this one. Null for anything else.
 */
export function sharedErrorInfo(error: unknown, source?: ErrorSource): ErrorInfo | null {
  // Already mapped on the other side of a runtime message.
  if (error instanceof RemoteError) return error.info;
  if (error instanceof ExtensionError) {
    const { details } = error;
    return {
      kind: error.kind,
      message: error.message,
      ...((details.source ?? source) ? { source: details.source ?? source } : {}),
      ...(details.issues ? { issues: details.issues } : {}),
      ...(details.redirectUri ? { redirectUri: details.redirectUri } : {}),
      ...(details.code ? { code: details.code } : {}),
    };
  }
  if (error instanceof z.ZodError) {
    // A shape we parse at a boundary did not match: the other side answered something unexpected.
    return {
      kind: 'invalid_response',
      message: `Unexpected data: ${issuesOf(error)
        .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
        .join('; ')}`,
      ...(source ? { source } : {}),
    };
  }
  return null;
}

/** Anything thrown, as ErrorInfo, in any context: what is not recognised is `internal` (a bug). */
export function errorInfoOf(error: unknown, source?: ErrorSource): ErrorInfo {
  return sharedErrorInfo(error, source) ?? internalErrorInfo(error, source);
}

export function internalErrorInfo(error: unknown, source?: ErrorSource): ErrorInfo {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return { kind: 'internal', message, ...(source ? { source } : {}) };
}
