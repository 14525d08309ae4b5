import { stickCodecs, type StickCodec, type StickName } from '../../drivers/wmbus-sticks/index.js';
import { LinkTargetError, parseLinkTarget, type LinkTarget } from '../gateway/link/link-target.js';
import { CliFailure } from './cli-context.js';

/** `--stick` and `--link` of `wmbus listen` and `gateway validate`, checked alike (exit 2 naming the option). */
export function stickLinkOptions(stick: string, link: string): { codec: StickCodec; target: LinkTarget } {
  if (!Object.hasOwn(stickCodecs, stick)) throw new CliFailure(`--stick must be one of ${Object.keys(stickCodecs).join(', ')}`, 2);
  const codec = stickCodecs[stick as StickName];
  try {
    return { codec, target: parseLinkTarget(link) };
  } catch (e) {
    if (e instanceof LinkTargetError) throw new CliFailure(`--link: ${e.message}`, 2);
    throw e;
  }
}
