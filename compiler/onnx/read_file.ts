// Reads a file a user named (a model, an input tensor, a config): only a
// regular file (after resolving symlinks), only up to a size limit, checked on
// the opened descriptor before any byte is read. A FIFO with no writer or a
// character device such as /dev/zero would otherwise hang the reader or fill
// memory.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { type ErrorCode, VoltaError } from '../ir/errors.ts';

/** Default cap on the bytes of one file: 2 GiB, protobuf's own message limit. */
export const MAX_FILE_BYTES = 2 ** 31;

export interface ReadOptions {
  /** What the file is, for messages ('model', 'input file', ...). */
  readonly what: string;
  readonly maxBytes?: number;
  /** Error code for a file that cannot be read or is not acceptable (the reader's usual code: models BAD_MODEL, inputs BAD_INPUT). */
  readonly code: ErrorCode;
}

export function readRegularFile(path: string, opts: ReadOptions): Uint8Array {
  const code = opts.code;
  const max = opts.maxBytes ?? MAX_FILE_BYTES;
  const fail = (found: string, hint?: string) => new VoltaError(code, { found: `${opts.what} ${path}: ${found}`, hint });
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fail(`cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO'
          : st.isCharacterDevice()
            ? 'a character device'
            : st.isSocket()
              ? 'a socket'
              : 'not a regular file';
      throw fail(`is ${kind}`, 'pass a regular file (symlinks to one are fine)');
    }
    if (st.size > max) throw fail(`is ${st.size} bytes, over the limit of ${max}`, 'raise the limit (option maxFileBytes) if the file is genuine');
    const out = new Uint8Array(st.size);
    let got = 0;
    while (got < st.size) {
      const r = readSync(fd, out, got, st.size - got, got);
      if (r === 0) throw fail('ended early (changed while reading?)');
      got += r;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
