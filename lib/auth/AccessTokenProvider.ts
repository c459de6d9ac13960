/**
 * How API clients get a token without holding credentials: a currently valid access token,
 * or a freshly refreshed one when `forceRefresh` is set (the provider rejected the last one
 * before its stated expiry). `TokenManager.accessTokenProvider(mailboxId)` makes one.
 */
export type AccessTokenProvider = (options?: { forceRefresh?: boolean }) => Promise<string>;
