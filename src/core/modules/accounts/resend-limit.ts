// Re-sending is rate-limited per address (SEC-16): at most this many mails of one kind to one
// account in the window. Beyond it the request is answered exactly as before (202), nothing is
// sent, and the refusal is audited. Per source address, the routes' rate limit applies as well.
export const resendLimit = { max: 3, windowMs: 15 * 60_000 } as const;
