const FAILURES: Record<string, string> = {
  auth: 'Wrong token: the CRM refused it. Check the token, or create a new one in the CRM.',
  network:
    'Can’t reach the server: check the base URL, and that the CRM is running and reachable from this computer.',
  invalid_response:
    'The server answered, but not as a CRM that speaks the contract. Check that the base URL points at the CRM itself.',
  not_found:
    'Nothing answers at that address: the base URL is probably wrong (the extension adds /api/v1 itself).',
  server: 'The CRM had an internal error. Try again later, or ask whoever runs it.',
  rate_limited: 'The CRM asked us to slow down. Try again in a minute.',
  invalid_request: 'The CRM rejected the request.',
  not_configured: 'Enter a base URL and a token first.',
  conflict: 'The CRM reported a conflict.',
};

/** Plain words for a failed test connection, by the CrmError kind the background reports. */
export function describeConnectionFailure(kind: string): string {
  return FAILURES[kind] ?? 'The connection failed.';
}
