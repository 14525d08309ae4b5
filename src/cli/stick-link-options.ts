import { stickCodecs, type StickCodec, type StickName } from '../../drivers/wmbus-sticks/index.js';
import type { LinkTarget } from '../gateway/link/link-target.js';
import { CliFailure } from './cli-context.js';
import { linkOption } from './link-option.js';

/** `--stick` and `--link` of `wmbus listen` and `gateway validate`, checked alike (exit 2 naming the option). */
export function stickLinkOptions(stick: string, link: string): { codec: StickCodec; target: LinkTarget } {
  if (!Object.hasOwn(stickCodecs, stick)) throw new CliFailure(`--stick must be one of ${Object.keys(stickCodecs).join(', ')}`, 2);
  return { codec: stickCodecs[stick as StickName], target: linkOption(link) };
}
