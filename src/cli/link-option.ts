import { LinkTargetError, parseLinkTarget, type LinkTarget } from '../gateway/link/link-target.js';
import { CliFailure } from './cli-context.js';

/** `--link` of every command that opens a meter or a stick: a bad one exits 2 naming the option. */
export function linkOption(link: string): LinkTarget {
  try {
    return parseLinkTarget(link);
  } catch (e) {
    if (e instanceof LinkTargetError) throw new CliFailure(`--link: ${e.message}`, 2);
    throw e;
  }
}
