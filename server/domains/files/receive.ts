import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_FILE_BYTES } from '../../../common/schemas/files';
import { MULTIPART_SLACK, receiveOneFile, type SpooledFile } from '../../lib/uploads';
import { fileTypeOf } from './files.service';

/**
 * One document uploaded to a record (a contact-log entry, a work order, an approval, an article): `assert(bytes)`
 * decides who may attach and whether a file of (at least) the announced size fits — before a byte is read —; the
 * file (of an allowed type, within MAX_FILE_BYTES) is spooled to disk, `store` keeps it, the answer is 201 and the
 * spool is removed whatever happens.
 */
export async function receiveDocument<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  assert: (announcedBytes: number) => Promise<unknown>,
  store: (file: SpooledFile) => Promise<T>,
): Promise<T> {
  const announced = Number(request.headers['content-length']) || 0;
  await assert(Math.max(0, announced - MULTIPART_SLACK));
  const { file } = await receiveOneFile(request, reply, {
    maxBytes: MAX_FILE_BYTES,
    check: (filename) => void fileTypeOf(filename),
  });
  try {
    const stored = await store(file);
    reply.status(201);
    return stored;
  } finally {
    await file.discard();
  }
}
