/**
 * A minimal tar (ustar) writer and reader for regular files: the backup container (operations/backup.ts) and the
 * PGlite data directory inside it. Names up to 255 bytes (ustar prefix + name), sizes up to 8 GiB.
 */

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  const cut = name.lastIndexOf('/', name.length - 1);
  const prefix = name.slice(0, cut);
  const base = name.slice(cut + 1);
  if (cut < 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(base) > 100)
    throw new Error(`tar: name too long: ${name}`);
  return { prefix, base };
}

/** The 512-byte header of a regular file (type '0') or a directory (type '5'). */
export function tarHeader(name: string, size: number, type: '0' | '5' = '0', mtime = Date.now()): Buffer {
  const header = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(name);
  header.write(base, 0, 100, 'utf8');
  header.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(size, 12), 124, 'ascii');
  header.write(octal(Math.floor(mtime / 1000), 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write(type, 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  return header;
}

/** Zero bytes that pad a file of `size` bytes to whole blocks. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

export type TarEntry = { name: string; type: 'file' | 'directory'; data: Buffer };

/** A whole archive in memory from entries (directories before what they hold). */
export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const size = entry.type === 'file' ? entry.data.length : 0;
    parts.push(tarHeader(entry.name, size, entry.type === 'file' ? '0' : '5'));
    if (size) parts.push(entry.data, tarPadding(size));
  }
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

export class TarError extends Error {}

/** The entries of an archive; TarError when it is not a well-formed one (bad checksum, truncated). */
export function untar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  for (;;) {
    if (at + BLOCK > archive.length) throw new TarError('truncated archive');
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return entries;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    const stored = parseInt(header.toString('ascii', 148, 156).replace(/\0.*$/, '').trim(), 8);
    if (stored !== sum) throw new TarError('bad header checksum');
    const text = (from: number, length: number) => header.toString('utf8', from, from + length).replace(/\0.*$/s, '');
    const base = text(0, 100);
    const prefix = header.toString('ascii', 257, 262) === 'ustar' ? text(345, 155) : '';
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    at += BLOCK;
    if (at + size > archive.length) throw new TarError('truncated archive');
    const name = prefix ? `${prefix}/${base}` : base;
    if (type === '0') entries.push({ name, type: 'file', data: archive.subarray(at, at + size) });
    else if (type === '5') entries.push({ name, type: 'directory', data: Buffer.alloc(0) });
    at += size + ((BLOCK - (size % BLOCK)) % BLOCK);
  }
}
