import { systemPrincipal } from '../core/access/principal.js';
import type { Container } from '../core/container.js';
import { cliActor } from './cli-context.js';

// The work of `openeks tokens list` and `openeks tokens revoke` (docs/api-tokens.md "CLI"): the
// same tokens service as the API's operator routes, with the system principal.

const as = () => ({ principal: systemPrincipal, actor: cliActor() });

/** Every API token, newest first: one line each, never the token. */
export async function listTokensCommand(c: Container, options: { activeOnly: boolean }): Promise<string[]> {
  const lines: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.tokens.listAll({ ...as(), ...(cursor === undefined ? {} : { cursor }) });
    for (const t of page.items) {
      if (options.activeOnly && t.status !== 'active') continue;
      const filter = t.deviceFilter === null ? 'all devices' : `filter ${JSON.stringify(t.deviceFilter)}`;
      const lastUse = t.lastUsedAt === null ? 'never used' : `last used ${t.lastUsedAt} from ${t.lastUsedIp ?? '?'}`;
      lines.push(`${t.id}\t${t.email}\t${t.name}\t${t.kind}\t${t.status}\texpires ${t.expiresAt}\t${filter}\t${lastUse}`);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return lines.length > 0 ? lines : ['no API tokens'];
}

export async function revokeTokenCommand(c: Container, id: string): Promise<string> {
  await c.tokens.revokeAny({ ...as(), id });
  return `revoked ${id}: its next request is refused`;
}
