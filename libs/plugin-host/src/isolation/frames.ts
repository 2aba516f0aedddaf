/**
 * Length-prefixed frames on the pipe between the host and a `process`-tier isolate: a 4-byte little-endian
 * length, then that many bytes of `v8.serialize` output. Unlike Node's IPC channel, which buffers a whole
 * message before it can be looked at, the reader sees the length first: a frame over the limit is refused
 * from its header, and its body is never buffered.
 */
const FRAME_HEADER_BYTES = 4;

/** One frame around a serialized message. */
export function frame(body: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  framed.writeUInt32LE(body.length, 0);
  framed.set(body, FRAME_HEADER_BYTES);
  return framed;
}

/** Cuts a byte stream into frames of at most `maxBytes`; buffers at most one frame (plus the chunk being read). */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The body length being waited for, or -1 while reading a header. */
  private expected = -1;
  private stopped = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onFrame: (body: Buffer) => void,
    /** A header announced more than `maxBytes` (or an empty frame): nothing more is read. */
    private readonly onRefused: (announced: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.stopped) {
      if (this.expected < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) return;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32LE(0);
        if (length > this.maxBytes || length === 0) {
          this.stop();
          return this.onRefused(length);
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) return;
      const body = this.take(this.expected);
      this.expected = -1;
      this.onFrame(body);
    }
  }

  stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.buffered = 0;
  }

  private take(bytes: number): Buffer {
    this.buffered -= bytes;
    const first = this.chunks[0];
    if (first.length > bytes) {
      this.chunks[0] = first.subarray(bytes);
      return first.subarray(0, bytes);
    }
    if (first.length === bytes) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(bytes);
    for (let at = 0; at < bytes;) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, bytes - at);
      chunk.copy(out, at, 0, used);
      at += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}
