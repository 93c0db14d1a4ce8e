import type { FastifySerializerCompiler } from 'fastify/types/schema';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z, type ZodType } from 'zod';

/** Writes one value as JSON, or undefined when JSON leaves it out (as JSON.stringify does for undefined). */
type Write = (value: unknown) => string | undefined;

type Def = {
  type: string;
  shape?: Record<string, ZodType>;
  catchall?: ZodType;
  element?: ZodType;
  innerType?: ZodType;
  valueType?: ZodType;
  options?: ZodType[];
};
const defOf = (schema: ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

const plain: Write = (value) => JSON.stringify(value);

/** Wrappers whose output is the inner type's (or null / undefined / the default). */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);
/** Leaves written as JSON.stringify writes them. */
const LEAVES = new Set([
  'string',
  'number',
  'int',
  'boolean',
  'null',
  'undefined',
  'literal',
  'enum',
  'date',
  'unknown',
  'any',
  'nan',
  'template_literal',
  'success',
]);

/** Whether a schema holds no object anywhere (such a union needs no projection: its value is written as it is). */
function flat(schema: ZodType): boolean {
  const def = defOf(schema);
  if (LEAVES.has(def.type)) return true;
  if (WRAPPERS.has(def.type)) return flat(def.innerType!);
  if (def.type === 'union') return def.options!.every(flat);
  return false;
}

/**
 * Compiles a response schema into a function that writes exactly the declared fields as JSON — what
 * Zod's encode followed by JSON.stringify gives for a valid value (unknown keys dropped, so columns
 * never leak), without validating or building a second copy of the answer. What it cannot project
 * on its own (unions of objects, intersections, pipes, lazy schemas) is encoded by Zod.
 */
export function compileJson(schema: ZodType): Write {
  const def = defOf(schema);
  if (LEAVES.has(def.type)) return plain;
  if (WRAPPERS.has(def.type)) return compileJson(def.innerType!);
  if (def.type === 'union' && def.options!.every(flat)) return plain;
  if (def.type === 'array') {
    const item = compileJson(def.element!);
    return (value) => {
      if (!Array.isArray(value)) return plain(value);
      let out = '[';
      for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (item(value[i]) ?? 'null');
      return out + ']';
    };
  }
  if (def.type === 'object') {
    const fields = Object.entries(def.shape!).map(([key, field]) => ({
      key,
      prefix: `${JSON.stringify(key)}:`,
      write: compileJson(field),
    }));
    const known = new Set(fields.map((f) => f.key));
    // z.looseObject and .catchall() keep keys the shape does not name (z.strictObject has a catchall of never).
    const rest = def.catchall && defOf(def.catchall).type !== 'never' ? compileJson(def.catchall) : null;
    return (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return plain(value);
      const record = value as Record<string, unknown>;
      let out = '';
      for (const field of fields) {
        const written = field.write(record[field.key]);
        if (written !== undefined) out += (out ? ',' : '') + field.prefix + written;
      }
      if (rest) {
        for (const key of Object.keys(record)) {
          if (known.has(key)) continue;
          const written = rest(record[key]);
          if (written !== undefined) out += (out ? ',' : '') + JSON.stringify(key) + ':' + written;
        }
      }
      return `{${out}}`;
    };
  }
  if (def.type === 'record') {
    const write = compileJson(def.valueType!);
    return (value) => {
      if (typeof value !== 'object' || value === null) return plain(value);
      let out = '';
      for (const [key, item] of Object.entries(value)) {
        const written = write(item);
        if (written !== undefined) out += (out ? ',' : '') + JSON.stringify(key) + ':' + written;
      }
      return `{${out}}`;
    };
  }
  return (value) => {
    const result = z.safeEncode(schema, value);
    if (!result.success) throw result.error;
    return JSON.stringify(result.data);
  };
}

/**
 * An answer whose JSON the database wrote, to the route's response schema (its fields, in its order): the
 * serializer sends the text as it is instead of parsing and writing it again. `T` is what the text holds.
 */
export class JsonText<T> {
  declare readonly holds?: T;
  constructor(readonly text: string) {}
}

/** A JsonText returned by a route handler in place of the value its response schema describes. */
export function asAnswer<T>(json: JsonText<T>): T {
  return json as unknown as T;
}

function resolveSchema(schema: unknown): ZodType {
  if (schema instanceof z.ZodType) return schema;
  const properties = (schema as { properties?: unknown } | null)?.properties;
  if (properties instanceof z.ZodType) return properties;
  throw new Error(`Not a Zod response schema: ${JSON.stringify(schema)}`);
}

/**
 * The response serializer: the compiled writer (compileJson), or a JsonText's text as it is. With `check`
 * (the tests), every response is also encoded by Zod first — an answer that does not match its schema fails
 * as before (500, ResponseSerializationError) — and the writer's JSON must be exactly Zod's; a JsonText must
 * parse to exactly what Zod makes of it (no undeclared field, each in the schema's order; spacing aside).
 */
export function responseSerializer(options: { check: boolean }): FastifySerializerCompiler<ZodType> {
  return ({ schema, method, url }) => {
    const zodSchema = resolveSchema(schema);
    const write = compileJson(zodSchema);
    if (!options.check) return (data) => (data instanceof JsonText ? data.text : (write(data) ?? ''));
    return (data) => {
      if (data instanceof JsonText) {
        const parsed: unknown = JSON.parse(data.text);
        const result = z.safeEncode(zodSchema, parsed);
        if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
        if (JSON.stringify(result.data) !== JSON.stringify(parsed))
          throw new Error(
            `The JSON text of ${method} ${url} is ${data.text}, Zod writes ${JSON.stringify(result.data)}`,
          );
        return data.text;
      }
      const result = z.safeEncode(zodSchema, data);
      if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
      const expected = JSON.stringify(result.data);
      const written = write(data) ?? '';
      if (written !== expected)
        throw new Error(`The compiled serializer of ${method} ${url} wrote ${written}, Zod ${expected}`);
      return written;
    };
  };
}
