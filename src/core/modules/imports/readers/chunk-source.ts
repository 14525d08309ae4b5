import { once } from 'node:events';
import type { Readable } from 'node:stream';

/**
 * Pulls a byte stream chunk by chunk, so a reader can look at the first bytes (to recognise the
 * format) and then go on where it stopped. Counts what it handed out, for the progress bar.
 */
export class ChunkSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private consumed = 0;
  private pushedBack: Buffer | undefined;

  /** `mapError` turns the stream's errors (zlib's, …) into what the reader reports. */
  constructor(
    private readonly stream: Readable,
    private readonly mapError: (err: unknown) => unknown = (err) => err,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  get bytesConsumed(): number {
    return this.consumed;
  }

  /** The next chunk, or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    if (this.pushedBack !== undefined) {
      const chunk = this.pushedBack;
      this.pushedBack = undefined;
      return chunk;
    }
    let r: IteratorResult<Buffer>;
    try {
      r = await this.chunks.next();
    } catch (err) {
      throw this.mapError(err);
    }
    if (r.done === true) return undefined;
    this.consumed += r.value.length;
    return r.value;
  }

  /** Hands a chunk back, to be the next one again (after looking at it). */
  unshift(chunk: Buffer): void {
    this.pushedBack = chunk;
  }

  /** Releases the stream (and its file handle); waits until it is closed. */
  async close(): Promise<void> {
    if (this.stream.closed) return;
    const closed = once(this.stream, 'close').catch(() => undefined);
    this.stream.destroy();
    await closed;
  }
}
