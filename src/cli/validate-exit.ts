/** The exit codes of `openeks gateway validate` (docs/gateway.md "Key validation on site"), for every protocol. */
export const VALIDATE_EXIT = { allDecrypt: 0, someDoNot: 1, usage: 2, nothingHeard: 3 } as const;
