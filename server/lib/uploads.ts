import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AppError } from '../errors';

/** Room for the multipart framing around a file: boundaries, part headers and a small field or two. */
export const MULTIPART_SLACK = 128 * 1024;

export const fileTooLarge = (maxBytes: number) =>
  new AppError('FILE_TOO_LARGE', { maxMb: maxBytes / 1024 / 1024 }, { maxBytes });

/**
 * Route hook (onRequest, after sign-in): a body whose Content-Length announces more than
 * `maxBytes` plus framing is refused with 413 FILE_TOO_LARGE before any of it is read, and the
 * connection is closed rather than drained. Bodies without a length are cut at the limit while read.
 */
export function refuseBodiesOver(maxBytes: number): onRequestHookHandler {
  return async (request, reply) => {
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes + MULTIPART_SLACK) {
      reply.header('connection', 'close');
      throw fileTooLarge(maxBytes);
    }
  };
}

/** A file received to a temporary file on disk, with its size and SHA-256; `discard()` removes it. */
export type SpooledFile = {
  filename: string;
  /** Where the file lies while it is kept, for readers that stream it. */
  path: string;
  size: number;
  sha256: string;
  /** The content, read from disk when it is stored. */
  read(): Promise<Buffer>;
  discard(): Promise<void>;
};

async function spool(part: MultipartFile, maxBytes: number): Promise<SpooledFile> {
  const file = path.join(os.tmpdir(), `gongdan-upload-${randomUUID()}`);
  const hash = createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const discard = () => rm(file, { force: true });
  try {
    await pipeline(part.file, count, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await discard();
    throw error;
  }
  // Busboy stops passing bytes on at the limit and marks the stream truncated.
  if (part.file.truncated || size > maxBytes) {
    await discard();
    throw fileTooLarge(maxBytes);
  }
  return { filename: part.filename, path: file, size, sha256: hash.digest('hex'), read: () => readFile(file), discard };
}

/**
 * The one file of a multipart/form-data request, streamed to a temporary file as it arrives (never
 * held in memory), and the small text fields beside it. `check(filename)` runs on the file's part
 * header, before its content is read (e.g. the allowed types). No file → FILE_MISSING; a second
 * file → FILE_ONE_PER_REQUEST; more than `maxBytes` → FILE_TOO_LARGE. On a failure the connection
 * is closed (the rest of the body is not read). The caller discards the file when done with it.
 */
export async function receiveOneFile(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { maxBytes: number; check?: (filename: string) => void },
): Promise<{ file: SpooledFile; fields: Record<string, string> }> {
  let file: SpooledFile | undefined;
  const fields: Record<string, string> = {};
  try {
    const parts = request.parts({
      limits: { fileSize: options.maxBytes, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      options.check?.(part.filename);
      file = await spool(part, options.maxBytes);
    }
    if (!file) throw new AppError('FILE_MISSING');
    return { file, fields };
  } catch (error) {
    await file?.discard();
    reply.header('connection', 'close');
    if ((error as { code?: string }).code === 'FST_FILES_LIMIT') throw new AppError('FILE_ONE_PER_REQUEST');
    throw error;
  }
}

/** Sends a stored file as a download: its own type, its name (UTF-8), never cached by a shared cache. */
export function sendFile(
  reply: FastifyReply,
  file: { contentType: string; filename: string; content: Uint8Array },
): FastifyReply {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header('cache-control', 'private, no-store')
    .send(Buffer.from(file.content));
}
